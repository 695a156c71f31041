//! The achievement and demand information service over HTTP: Chinese search, records filed, edited and moderated
//! (every change names the version it is based on in `If-Match`), matches with their reasons, and registry imports.
//! The same routes serve achievements (`/api/v1/achievements`) and demands (`/api/v1/demands`).

use axum::Json;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use ttdz_app::information::{
    self, AssessmentView, DigestView, FollowInput, ImportView, MatchesView, ReadPosition, RecordView, SearchParams,
    SearchView, SubscriptionView,
};
use ttdz_domain::achievement::{RecordAction, RecordKind};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery};
use crate::auth::{Caller, Origin};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// A search: words in Chinese or English, and filters, each optional.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// What to look for; without it, every published record that passes the filters.
    #[param(example = "锂电池 正极材料")]
    q: Option<String>,
    /// A technical field: electronics, biomedicine, aerospace, new_materials, hitech_services, new_energy,
    /// resources_environment, advanced_manufacturing.
    field: Option<String>,
    /// A 6-digit division code (the division and everything under it) or a zone key.
    #[param(example = "320000")]
    area: Option<String>,
    /// Readiness levels from (1-9).
    maturity_min: Option<u8>,
    /// Readiness levels to (1-9).
    maturity_max: Option<u8>,
    /// A transfer mode the achievement offers: transfer, license, equity, cooperation.
    mode: Option<String>,
    /// How many (1-100, default 20).
    limit: Option<usize>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LimitQuery {
    /// How many (1-100, default 10).
    limit: Option<usize>,
}

/// A step of a record, with the moderator's reasons for a return.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    comment: Option<String>,
}

fn id_in_path(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("no record '{text}'")))
}

async fn search(
    state: &AppState,
    caller: &Caller,
    kind: RecordKind,
    q: SearchQuery,
) -> Result<Json<SearchView>, ApiError> {
    let params = SearchParams {
        q: q.q.unwrap_or_default(),
        field: q.field,
        area: q.area,
        maturity_min: q.maturity_min,
        maturity_max: q.maturity_max,
        mode: q.mode,
        limit: q.limit,
    };
    Ok(Json(information::search(state.app(), &caller.viewer(), kind, &params).await?))
}

async fn import(
    state: &AppState,
    caller: &Caller,
    origin: &Origin,
    kind: RecordKind,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| ApiError::invalid(e.body_text());
    let (mut file, mut review) = (None, false);
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("review") => review = matches!(field.text().await.map_err(bad)?.trim(), "true" | "1" | "on"),
            Some("file") => {
                let name = field.file_name().unwrap_or("records.jsonl").to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| ApiError::invalid("the multipart field 'file' is missing"))?;
    let view = information::import(state.app(), &caller.viewer(), &origin.0, kind, (&name, &bytes), review).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The handlers of one kind of record, each with its documented path.
macro_rules! record_routes {
    ($kind:expr, $tag:literal, $base:literal, $one:literal, $matched:literal) => {
        use super::*;

        #[doc = concat!("Search the published ", $tag, " in Chinese: ranked (BM25 over jieba words and character ")]
        #[doc = "bigrams), each with its external id, score and highlighted snippets; filters by field, area (a"]
        #[doc = "division or a zone), maturity and transfer mode. Unknown parameters are refused (400)."]
        #[utoipa::path(
            get, path = concat!($base, "/search"), tag = "information", params(SearchQuery),
            responses((status = 200, body = SearchView), (status = 400, body = ErrorBody))
        )]
        pub async fn search(
            State(state): State<AppState>,
            Extension(caller): Extension<Caller>,
            ApiQuery(q): ApiQuery<SearchQuery>,
        ) -> Result<Json<SearchView>, ApiError> {
            super::search(&state, &caller, $kind, q).await
        }

        #[doc = concat!("File a new ", $one, " as an institution: a draft until submitted to the province. Body: ")]
        #[doc = "the record's fields (see the record's `description`), optionally its own `id`."]
        #[utoipa::path(
            post, path = $base, tag = "information", request_body = Object,
            responses(
                (status = 201, body = RecordView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
                (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
            )
        )]
        pub async fn file(
            State(state): State<AppState>,
            Extension(caller): Extension<Caller>,
            Extension(origin): Extension<Origin>,
            ApiJson(body): ApiJson<serde_json::Value>,
        ) -> Result<(StatusCode, Json<RecordView>), ApiError> {
            let view = information::file(state.app(), &caller.viewer(), &origin.0, $kind, &body).await?;
            Ok((StatusCode::CREATED, Json(view)))
        }

        #[doc = concat!("One ", $one, ": published ones for everyone, others for their owner and moderators.")]
        #[utoipa::path(
            get, path = concat!($base, "/{id}"), tag = "information", params(("id" = i64, Path, example = 1)),
            responses((status = 200, body = RecordView), (status = 404, body = ErrorBody))
        )]
        pub async fn get(
            State(state): State<AppState>,
            Path(id): Path<String>,
            Extension(caller): Extension<Caller>,
        ) -> Result<Json<RecordView>, ApiError> {
            Ok(Json(information::get(state.app(), &caller.viewer(), $kind, id_in_path(&id)?).await?))
        }

        #[doc = concat!("Change a draft ", $one, " (its owner), with its version in `If-Match`: the fields given ")]
        #[doc = "replace the stored ones (given empty, they are cleared); the others stay."]
        #[utoipa::path(
            put, path = concat!($base, "/{id}"), tag = "information", params(("id" = i64, Path, example = 1)),
            request_body = Object,
            responses(
                (status = 200, body = RecordView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
                (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody),
            )
        )]
        pub async fn edit(
            State(state): State<AppState>,
            Path(id): Path<String>,
            Extension(caller): Extension<Caller>,
            Extension(origin): Extension<Origin>,
            headers: HeaderMap,
            ApiJson(body): ApiJson<serde_json::Value>,
        ) -> Result<Json<RecordView>, ApiError> {
            let based_on = super::super::reports::if_match(&headers)?;
            let at = ($kind, id_in_path(&id)?);
            Ok(Json(information::edit(state.app(), &caller.viewer(), &origin.0, at, based_on, &body).await?))
        }

        #[doc = concat!("A step of a ", $one, ", with its version in `If-Match`: `submit`, `withdraw` (its owner), ")]
        #[doc = "`publish`, `return` with a `comment` (the province of its division, or the ministry), `close` (either)."]
        #[utoipa::path(
            post, path = concat!($base, "/{id}/{action}"), tag = "information", request_body = StepBody,
            params(("id" = i64, Path, example = 1), ("action" = String, Path, example = "publish")),
            responses(
                (status = 200, body = RecordView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
                (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody),
            )
        )]
        pub async fn act(
            State(state): State<AppState>,
            Path((id, action)): Path<(String, String)>,
            Extension(caller): Extension<Caller>,
            Extension(origin): Extension<Origin>,
            headers: HeaderMap,
            ApiJson(body): ApiJson<StepBody>,
        ) -> Result<Json<RecordView>, ApiError> {
            let action = RecordAction::parse(&action).map_err(|e| ApiError::not_found(e.0))?;
            let based_on = super::super::reports::if_match(&headers)?;
            let at = ($kind, id_in_path(&id)?);
            let viewer = caller.viewer();
            let view =
                information::act(state.app(), &viewer, &origin.0, at, based_on, action, body.comment.as_deref()).await?;
            Ok(Json(view))
        }

        #[doc = concat!("The published ", $matched, " that best match this ", $one, ", each with a score of 0-100 ")]
        #[doc = "and its reasons: the key terms both share, the same field, the achievement's maturity, the distance"]
        #[doc = "between their divisions."]
        #[utoipa::path(
            get, path = concat!($base, "/{id}/matches"), tag = "information",
            params(("id" = i64, Path, example = 1), LimitQuery),
            responses((status = 200, body = MatchesView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
        )]
        pub async fn matches(
            State(state): State<AppState>,
            Path(id): Path<String>,
            Extension(caller): Extension<Caller>,
            ApiQuery(q): ApiQuery<LimitQuery>,
        ) -> Result<Json<MatchesView>, ApiError> {
            let at = ($kind, id_in_path(&id)?);
            Ok(Json(information::matches(state.app(), &caller.viewer(), at, q.limit).await?))
        }

        #[doc = concat!("Import a registry's ", $tag, " (multipart `file`: JSON Lines or CSV; `review` to send them ")]
        #[doc = "to the provinces' moderation instead of publishing them): all or nothing, bad lines named."]
        #[utoipa::path(
            post, path = concat!($base, "/import"), tag = "information",
            request_body(content_type = "multipart/form-data", description = "`file`, `review`"),
            responses(
                (status = 201, body = ImportView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
                (status = 422, body = ErrorBody),
            )
        )]
        pub async fn import(
            State(state): State<AppState>,
            Extension(caller): Extension<Caller>,
            Extension(origin): Extension<Origin>,
            multipart: Multipart,
        ) -> Result<(StatusCode, Json<ImportView>), ApiError> {
            super::import(&state, &caller, &origin, $kind, multipart).await
        }
    };
}

pub mod achievements {
    record_routes!(RecordKind::Achievement, "achievements", "/api/v1/achievements", "achievement", "demands");
}

pub mod demands {
    record_routes!(RecordKind::Demand, "demands", "/api/v1/demands", "demand", "achievements");
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeskQuery {
    /// `achievement` (default) or `demand`.
    kind: Option<String>,
}

/// The caller's own records (an institution), or those awaiting its moderation (a province: of its divisions; the
/// ministry: all).
#[utoipa::path(
    get, path = "/api/v1/information/desk", tag = "information", params(DeskQuery),
    responses((status = 200, body = [RecordView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn desk(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<DeskQuery>,
) -> Result<Json<Vec<RecordView>>, ApiError> {
    let kind = RecordKind::parse(q.kind.as_deref().unwrap_or("achievement")).map_err(|e| ApiError::invalid(e.0))?;
    Ok(Json(information::desk(state.app(), &caller.viewer(), kind).await?))
}

fn kind_in_path(text: &str) -> Result<RecordKind, ApiError> {
    RecordKind::parse(text).map_err(|e| ApiError::not_found(e.0))
}

/// What the caller follows of a kind (`achievement` or `demand`): fields and areas, and how far it has read.
#[utoipa::path(
    get, path = "/api/v1/subscriptions/{kind}", tag = "information",
    params(("kind" = String, Path, example = "achievement")),
    responses((status = 200, body = SubscriptionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_subscription(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<SubscriptionView>, ApiError> {
    Ok(Json(information::subscription(state.app(), &caller.viewer(), kind_in_path(&kind)?).await?))
}

/// Follow technical fields and areas (6-digit divisions or zone keys) of a kind; empty lists follow all. The
/// digest then brings what is published there, batch by batch.
#[utoipa::path(
    put, path = "/api/v1/subscriptions/{kind}", tag = "information", request_body = FollowInput,
    params(("kind" = String, Path, example = "achievement")),
    responses(
        (status = 200, body = SubscriptionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn follow(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<FollowInput>,
) -> Result<Json<SubscriptionView>, ApiError> {
    let kind = kind_in_path(&kind)?;
    Ok(Json(information::follow(state.app(), &caller.viewer(), &origin.0, kind, body).await?))
}

/// The caller's digest (a JSON feed): the published records it follows, since it last read, in the order they
/// were published, at most 100 (`more` says when others wait); send `read_to` to `.../read` once read.
#[utoipa::path(
    get, path = "/api/v1/subscriptions/{kind}/digest", tag = "information",
    params(("kind" = String, Path, example = "achievement")),
    responses((status = 200, body = DigestView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn digest(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<DigestView>, ApiError> {
    Ok(Json(information::digest(state.app(), &caller.viewer(), kind_in_path(&kind)?).await?))
}

/// Mark the digest read up to the `read_to` a digest answered.
#[utoipa::path(
    post, path = "/api/v1/subscriptions/{kind}/read", tag = "information", request_body = ReadPosition,
    params(("kind" = String, Path, example = "achievement")),
    responses(
        (status = 200, body = SubscriptionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<ReadPosition>,
) -> Result<Json<SubscriptionView>, ApiError> {
    let kind = kind_in_path(&kind)?;
    Ok(Json(information::read(state.app(), &caller.viewer(), &origin.0, kind, &body).await?))
}

/// An achievement's assessments (scores per dimension with reasons, conclusion, evidence, valuation with every
/// step), oldest first.
#[utoipa::path(
    get, path = "/api/v1/achievements/{id}/assessments", tag = "information",
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = [AssessmentView]), (status = 404, body = ErrorBody))
)]
pub async fn list_assessments(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<AssessmentView>>, ApiError> {
    Ok(Json(information::assessments(state.app(), &caller.viewer(), id_in_path(&id)?).await?))
}

/// Assess a published achievement (experts, institutions, the ministry; not its holder): `scores` (every dimension
/// of GB/T 44731: scientific, technical, economic, social, potential; 1-5 with reasons), `conclusion`, `evidence`,
/// and optionally `valuation` (`cost`, `market`, `income` inputs).
#[utoipa::path(
    post, path = "/api/v1/achievements/{id}/assessments", tag = "information", request_body = Object,
    params(("id" = i64, Path, example = 1)),
    responses(
        (status = 201, body = AssessmentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn assess(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(caller): Extension<Caller>,
    Extension(origin): Extension<Origin>,
    ApiJson(body): ApiJson<ttdz_domain::assessment::Assessment>,
) -> Result<(StatusCode, Json<AssessmentView>), ApiError> {
    let view = information::assess(state.app(), &caller.viewer(), &origin.0, id_in_path(&id)?, body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The valuation helper: an achievement's value by the cost, market and income approaches from the inputs given
/// (`cost {items [{name, value}], obsolescence_percent}`, `market {comparables [{name, value}],
/// adjustment_percent}`, `income {revenues [...], margin_percent, share_percent, discount_percent}`), each with every
/// assumption and step, and the range they span. Stores nothing.
#[utoipa::path(
    post, path = "/api/v1/valuation", tag = "information", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = ErrorBody))
)]
pub async fn valuation(
    ApiJson(body): ApiJson<ttdz_domain::assessment::ValuationInput>,
) -> Result<Json<ttdz_domain::assessment::Valuation>, ApiError> {
    Ok(Json(information::valuate(&body)?))
}
