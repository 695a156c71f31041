//! Documents of the procedure and of the reports (the provincial government's consent, the submission letter, the
//! plan, the ministry's approval, the signed annual report, evidence): checked by content, not by name, kept whole
//! with their SHA-256, and shown only to those who may see what they belong to.

use std::io::Cursor;

use serde::Serialize;
use ttdz_domain::Zone;
use ttdz_domain::account::Role;
use ttdz_domain::document::{DocumentKind, FileFormat};
use ttdz_domain::limits::{SHORT_TEXT, check_text};
use ttdz_domain::report::ReportStatus;
use ttdz_store::{DocumentRecord, NewDocument};

use crate::{AppError, Context, Viewer, zone_audit};

/// The largest document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 20 << 20;

/// A document as the API and the pages show it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentView {
    pub id: i64,
    pub zone: String,
    /// The report's year; absent for the procedure's documents.
    pub year: Option<i32>,
    /// `consent_letter`, `submission_letter`, `plan`, `approval`, `signed_report` or `evidence`.
    pub kind: &'static str,
    pub kind_zh: &'static str,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: u64,
    /// Who uploaded it, for those who oversee the zone.
    pub uploaded_by: Option<String>,
    pub uploaded_at: String,
}

fn view(record: DocumentRecord, oversees: bool) -> Result<DocumentView, AppError> {
    let kind = DocumentKind::parse(&record.kind).map_err(|e| ttdz_store::StoreError::Corrupt(e.0))?;
    Ok(DocumentView {
        id: record.id,
        zone: record.zone.to_string(),
        year: record.year,
        kind: kind.as_str(),
        kind_zh: kind.label_zh(),
        file_name: record.file_name,
        media_type: record.media_type,
        sha256: record.sha256,
        size: record.size,
        uploaded_by: oversees.then_some(record.uploaded_by),
        uploaded_at: record.uploaded_at,
    })
}

/// What a file is, from its content: PDF, Word (.docx), Excel (.xlsx), PNG or JPEG.
fn recognise(bytes: &[u8]) -> Option<FileFormat> {
    match FileFormat::from_magic(bytes) {
        (Some(format), _) => Some(format),
        (None, true) => {
            let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
            let has = |name: &str| archive.file_names().any(|n| n.is_ok_and(|n| n == name));
            if has("word/document.xml") {
                Some(FileFormat::Docx)
            } else if has("xl/workbook.xml") {
                Some(FileFormat::Xlsx)
            } else {
                None
            }
        }
        (None, false) => None,
    }
}

/// An uploaded document: what it is said to be, for which year, and the file.
#[derive(Debug)]
pub struct Upload<'a> {
    pub kind: &'a str,
    pub year: Option<i32>,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

/// Attaches a document to a zone's procedure or to one year's report, for the ministry (its approval) or the
/// zone's province (everything else). Refused, naming the field, when the kind is unknown, the year missing or
/// superfluous, the file empty, too large, not a PDF, Word, Excel or image file, or named as another format.
pub async fn attach(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    key: &str,
    upload: Upload<'_>,
) -> Result<DocumentView, AppError> {
    let rejected = |m: String| AppError::Rejected(m);
    let kind = DocumentKind::parse(upload.kind.trim()).map_err(|e| rejected(format!("kind: {}", e.0)))?;
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    let files = match kind.filed_by() {
        Role::Ministry => viewer.role() == Some(Role::Ministry),
        _ => matches!(viewer.role(), Some(Role::Province | Role::Ministry)) && viewer.governs(&zone.province),
    };
    if !files {
        return Err(AppError::Forbidden(format!(
            "{} may not file a {} ({}) for zone {key}",
            viewer.label(),
            kind.label_zh(),
            kind.as_str()
        )));
    }
    match (kind.of_a_year(), upload.year) {
        (true, None) => return Err(rejected(format!("year: a {} belongs to one year's report", kind.as_str()))),
        (false, Some(_)) => return Err(rejected(format!("year: a {} belongs to the procedure", kind.as_str()))),
        _ => {}
    }
    let file_name = upload.file_name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    check_text("file_name", file_name, SHORT_TEXT).map_err(|e| rejected(e.0))?;
    if file_name.is_empty() || file_name.chars().any(char::is_control) {
        return Err(rejected("file_name: give the file a name".into()));
    }
    if upload.bytes.is_empty() {
        return Err(rejected(format!("file: {file_name} is empty")));
    }
    if upload.bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::TooLarge(format!(
            "file: {file_name} is {} bytes; documents are limited to {} MiB",
            upload.bytes.len(),
            MAX_DOCUMENT_BYTES >> 20
        )));
    }
    let format = recognise(upload.bytes).ok_or_else(|| {
        rejected(format!("file: {file_name} is not a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file"))
    })?;
    if !format.named_as(file_name) {
        return Err(rejected(format!(
            "file: {file_name} holds a {} file but is not named .{}",
            format.extensions()[0].to_uppercase(),
            format.extensions()[0]
        )));
    }
    let document = NewDocument {
        zone: zone.key.clone(),
        year: upload.year,
        kind: kind.as_str().to_owned(),
        file_name: file_name.to_owned(),
        media_type: format.media_type().to_owned(),
        content: upload.bytes.to_vec(),
    };
    let id = ctx.store().add_document(&document, &zone_audit(viewer, origin, &zone)).await?;
    let (record, _) = ctx.store().document(id).await?.ok_or_else(|| AppError::NotFound(format!("document {id}")))?;
    view(record, true)
}

/// Whether the viewer may see a document of `zone`: the procedure's with the zone (before approval only those who
/// oversee it see either), a report's once the report is accepted or by those who oversee the zone.
async fn may_see(ctx: &Context, zone: &Zone, year: Option<i32>, oversees: bool) -> Result<bool, AppError> {
    let Some(year) = year else { return Ok(true) };
    if oversees {
        return Ok(true);
    }
    let report = ctx.store().annual_report(&zone.key, year).await?;
    Ok(report.is_some_and(|r| r.status == ReportStatus::Accepted))
}

/// A zone's documents the viewer may see, oldest first.
pub async fn list(ctx: &Context, viewer: &Viewer, key: &str) -> Result<Vec<DocumentView>, AppError> {
    let zone = crate::visibility::visible_zone(ctx, viewer, key).await?;
    let oversees = crate::visibility::oversees_zone(ctx, viewer, &zone).await?;
    let mut seen = Vec::new();
    for record in ctx.store().documents(&zone.key).await? {
        if may_see(ctx, &zone, record.year, oversees).await? {
            seen.push(view(record, oversees)?);
        }
    }
    Ok(seen)
}

/// One document with its content, if the viewer may see it.
pub async fn get(ctx: &Context, viewer: &Viewer, id: i64) -> Result<(DocumentView, Vec<u8>), AppError> {
    let missing = || AppError::NotFound(format!("no document {id}"));
    let (record, content) = ctx.store().document(id).await?.ok_or_else(missing)?;
    let zone = crate::visibility::zone_for(ctx, viewer, record.zone.as_str()).await?.ok_or_else(missing)?;
    let oversees = crate::visibility::oversees_zone(ctx, viewer, &zone).await?;
    if !may_see(ctx, &zone, record.year, oversees).await? {
        return Err(missing());
    }
    Ok((view(record, oversees)?, content))
}
