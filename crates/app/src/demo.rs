//! The demo data: real published figures (as figures, and as element values where they measure one), a clearly
//! labelled synthetic sample of contract micro-data that exercises the whole pipeline, a synthetic panel of every
//! other data element (`ttdz_ingest::panel`, a documented seeded model) so that every indicator has figures, and the procedure's parts
//! shown on one zone (江苏·苏南): a recorded plan with key tasks and featured indicators, an accepted annual report
//! stating the tasks' progress and a featured value, and experts' grades of rows 13-15, all labelled as examples and
//! all taken through the same use cases as the pages and the API take them; and achievements and demands written for
//! the demo (data/demo/achievements.jsonl, demands.jsonl), imported as a registry's file.

use serde_json::json;
use ttdz_domain::account::{Account, Role, Username};
use ttdz_domain::achievement::RecordKind;
use ttdz_domain::lifecycle::Action;
use ttdz_domain::measure::SourceKind;
use ttdz_domain::reference::DemoData;
use ttdz_domain::report::{ReportAction, ReportStatus};
use ttdz_domain::{Dataset, DivisionCode, DivisionTree};
use ttdz_ingest::contracts::{self, BasicUnits};
use ttdz_store::{Batch, DivisionValue};

use crate::{AppError, Context, Viewer};

/// Contracts in the synthetic sample: enough for every zone and year to have data, small enough to load at once.
const SYNTHETIC_CONTRACTS: u64 = 60_000;
const SYNTHETIC_SEED: u64 = 304;
/// The years the synthetic sample covers; the last is the demo's last complete year, the one the showcase reports,
/// grades and sets targets for.
const FIRST_DEMO_YEAR: i32 = 2019;
/// The synthetic panel of the other elements starts with the guideline (2016, a year before it was issued, so that
/// its first year has growth to show).
const FIRST_PANEL_YEAR: i32 = 2016;
const PANEL_SEED: u64 = 2017;
pub const LAST_DEMO_YEAR: i32 = 2024;

/// The zone the demo shows the procedure's parts on.
pub const SHOWCASE_ZONE: &str = "jiangsu-sunan";
/// The accounts the showcase acts as: the province that records the plan and reports, the expert who grades. Their
/// passwords are random and never shown: an operator who wants to sign in as them resets one.
const DEMO_PROVINCE_ACCOUNT: &str = "demo-jiangsu";
const DEMO_EXPERT_ACCOUNT: &str = "demo-expert";
/// The technology market's demo accounts: a university's transfer office in 苏州, a firm in 昆山, 苏州's registrar.
const DEMO_SELLER_ACCOUNT: &str = "demo-tto";
const DEMO_BUYER_ACCOUNT: &str = "demo-buyer";
const DEMO_REGISTRAR_ACCOUNT: &str = "demo-registrar";
/// Marks every text the showcase writes.
const EXAMPLE: &str = "【示例数据，非真实】";

/// Loads all demo data, for the ministry or the operator; running it again changes nothing.
pub async fn load(ctx: &Context, viewer: &Viewer, origin: &str) -> Result<(), AppError> {
    viewer.must_be_ministry("loads the demo data")?;
    let audit = crate::audit(viewer, origin, None);
    let store = ctx.store();
    // The demo's figures were published for the oldest shipped division list.
    let no_list = || AppError::Invalid("no division list is stored".into());
    let vintage = store.vintages().await?.first().map(|v| v.vintage).ok_or_else(no_list)?;
    let tree = DivisionTree::new(store.divisions(vintage).await?.ok_or_else(no_list)?);
    let demo = DemoData::shipped(&tree).map_err(|e| AppError::Invalid(e.to_string()))?;
    let figures = store.load_demo(&demo, &audit).await?;

    let values: Vec<DivisionValue> = demo
        .element_values()
        .into_iter()
        .map(|v| DivisionValue {
            element: v.element.element_code(),
            division: v.division,
            year: v.year,
            value: v.value,
            note: Some(v.note),
        })
        .collect();
    let published = store
        .replace_batch(
            &Batch {
                dataset: Dataset {
                    name: "demo:published-values".into(),
                    files: demo.figures_dataset.files.clone(),
                    sha256: demo.figures_dataset.sha256.clone(),
                    source:
                        "published figures read as data elements (GDP, population, contract turnover, institutions); \
                         see data/demo/SOURCE.md"
                            .into(),
                },
                kind: SourceKind::Demo,
                recorded_by: "ttdz demo load".into(),
                scope: None,
                rows: values.len() as u64,
                division_values: values,
                zone_values: Vec::new(),
                rollups: Vec::new(),
                flows: Vec::new(),
                contract_numbers: Default::default(),
            },
            &audit,
        )
        .await?;

    let zones = store.zones().await?;
    let units: Vec<_> = tree.area_of(zones.iter().flat_map(|z| &z.members)).into_iter().collect();
    let sample = tempfile::NamedTempFile::new()
        .map_err(|e| AppError::Environment(format!("cannot make a temporary file: {e}")))?;
    contracts::write_synthetic(
        &mut sample.as_file(),
        SYNTHETIC_CONTRACTS,
        SYNTHETIC_SEED,
        &units,
        FIRST_DEMO_YEAR..=LAST_DEMO_YEAR,
    )
    .map_err(|e| AppError::Environment(format!("cannot write the synthetic sample: {e}")))?;
    let file = contracts::read(sample.path(), &BasicUnits::of(&tree), &contracts::Options::default(), &|_| {}, None)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let synthetic = store
        .replace_batch(
            &Batch {
                dataset: Dataset {
                    name: "synthetic:contracts-sample".into(),
                    files: vec![format!("generated: {SYNTHETIC_CONTRACTS} contracts, seed {SYNTHETIC_SEED}")],
                    sha256: file.sha256.clone(),
                    source: "SYNTHETIC technology contracts generated by ttdz for demonstration; not real data".into(),
                },
                kind: SourceKind::Synthetic,
                recorded_by: "ttdz demo load".into(),
                scope: None,
                rows: file.rows,
                division_values: file.element_values(),
                zone_values: Vec::new(),
                rollups: file.rollups,
                flows: file.flows,
                contract_numbers: file.numbers,
            },
            &audit,
        )
        .await?;
    // Every other data element of Annex 2, for every basic unit of the zones and every year: the synthetic panel.
    let census = ttdz_domain::ReferenceData::shipped().map_err(|e| AppError::Invalid(e.to_string()))?.population;
    let provinces: Vec<_> =
        census.iter().map(|c| (c.province, c.persons, tree.leaves_under(&c.province).len())).collect();
    let people = ttdz_ingest::panel::people(&units, &provinces, PANEL_SEED);
    let zone_people: Vec<(ttdz_domain::ZoneKey, f64)> = zones
        .iter()
        .map(|z| {
            let area = tree.area_of(&z.members);
            (z.key.clone(), people.iter().filter(|(u, _)| area.contains(u)).map(|(_, n)| n).sum())
        })
        .collect();
    let spec = ttdz_ingest::panel::PanelSpec {
        units: &people,
        zones: &zone_people,
        years: FIRST_PANEL_YEAR..=LAST_DEMO_YEAR,
        seed: PANEL_SEED,
    };
    let (division_values, zone_values) = ttdz_ingest::panel::panel(&spec);
    let digest: String = division_values
        .iter()
        .map(|v| format!("{} {} {} {}\n", v.element, v.division, v.year, v.value))
        .chain(zone_values.iter().map(|v| format!("{} {} {} {}\n", v.element, v.zone, v.year, v.value)))
        .collect();
    let panel = store
        .replace_batch(
            &Batch {
                dataset: Dataset {
                    name: "synthetic:panel".into(),
                    files: vec![format!(
                        "generated: seeded model (ttdz_ingest::panel), seed {PANEL_SEED}, {FIRST_PANEL_YEAR}-{LAST_DEMO_YEAR}"
                    )],
                    sha256: ttdz_domain::reference::sha256_hex(digest.as_bytes()),
                    source: "SYNTHETIC panel of every other data element, generated by ttdz for demonstration; not real \
                             data"
                        .into(),
                },
                kind: SourceKind::Synthetic,
                recorded_by: "ttdz demo load".into(),
                scope: None,
                rows: (division_values.len() + zone_values.len()) as u64,
                division_values,
                zone_values,
                rollups: Vec::new(),
                flows: Vec::new(),
                contract_numbers: Default::default(),
            },
            &audit,
        )
        .await?;
    tracing::info!(
        synthetic_panel_changed = panel.changed,
        figures = figures.figures,
        published_values_changed = published.changed,
        synthetic_contracts = SYNTHETIC_CONTRACTS,
        synthetic_changed = synthetic.changed,
        "demo data loaded"
    );
    showcase(ctx, viewer, origin).await?;
    market(ctx, viewer, origin).await?;
    // The information service: achievements and demands written for the demo, imported as a registry's file.
    for (kind, file, text) in [
        (RecordKind::Achievement, "demo/achievements.jsonl", DEMO_ACHIEVEMENTS),
        (RecordKind::Demand, "demo/demands.jsonl", DEMO_DEMANDS),
    ] {
        let batch = format!("batch:{}", crate::information::batch_name(kind, file, text.as_bytes()));
        if ctx.store().records_of_batch(&batch).await?.is_empty() {
            crate::information::import(ctx, viewer, origin, kind, (file, text.as_bytes()), false).await?;
        }
    }
    Ok(())
}

const DEMO_ACHIEVEMENTS: &str = include_str!("../../../data/demo/achievements.jsonl");
const DEMO_DEMANDS: &str = include_str!("../../../data/demo/demands.jsonl");

/// The demo account `username` with `role` (for a province, of `province`), made with a random password if it is
/// not there yet.
async fn demo_account(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (username, role, province, division): (&str, Role, Option<DivisionCode>, Option<DivisionCode>),
) -> Result<Account, AppError> {
    let store = ctx.store();
    if let Some(account) = store.accounts().await?.into_iter().find(|a| a.username.as_str() == username) {
        return Ok(account);
    }
    let name = Username::parse(username).map_err(|e| AppError::Invalid(e.0))?;
    let account = Account::new(name, role, province, division, None).map_err(|e| AppError::Invalid(e.0))?;
    let hash = crate::accounts::hash_password(&crate::accounts::new_token()).map_err(AppError::Environment)?;
    store.add_account(&account, &hash, &crate::audit(viewer, origin, None)).await?;
    Ok(account)
}

/// The procedure's parts on the showcase zone, each step taken only if it was not taken yet.
async fn showcase(ctx: &Context, viewer: &Viewer, origin: &str) -> Result<(), AppError> {
    let Ok(key) = ttdz_domain::ZoneKey::parse(SHOWCASE_ZONE) else { return Ok(()) };
    let Some(zone) = ctx.store().zone(&key).await? else {
        tracing::warn!(zone = SHOWCASE_ZONE, "the reference data lack the showcase zone: no procedure shown");
        return Ok(());
    };
    let province = Viewer::Account(
        demo_account(ctx, viewer, origin, (DEMO_PROVINCE_ACCOUNT, Role::Province, Some(zone.province), None)).await?,
    );
    let expert =
        Viewer::Account(demo_account(ctx, viewer, origin, (DEMO_EXPERT_ACCOUNT, Role::Expert, None, None)).await?);
    let year = LAST_DEMO_YEAR;

    let state = ctx.store().lifecycle(&key).await?.ok_or_else(|| AppError::NotFound(SHOWCASE_ZONE.into()))?;
    let mut version = state.version;
    if crate::lifecycle::last_plan(&state)?.is_none() {
        let step = (Action::RecordPlan, version);
        version = crate::lifecycle::take_step(ctx, &province, origin, SHOWCASE_ZONE, step, &showcase_plan(year))
            .await?
            .version;
    }
    if !state.consultants.iter().any(|(u, _)| u == DEMO_EXPERT_ACCOUNT) {
        let appoint = json!({ "experts": [DEMO_EXPERT_ACCOUNT], "note": format!("{EXAMPLE}科技部指定的咨询专家") });
        crate::lifecycle::take_step(ctx, viewer, origin, SHOWCASE_ZONE, (Action::AppointExperts, version), &appoint)
            .await?;
    }

    let report = ctx.store().annual_report(&key, year).await?;
    if report.as_ref().is_none_or(|r| r.status != ReportStatus::Accepted) {
        let input = crate::reports::ReportInput {
            values: vec![crate::reports::ValueInput {
                element: SHOWCASE_REPORTED.into(),
                division_code: None,
                value: json!("38"),
            }],
            text: Some(format!(
                "{EXAMPLE}{year}年，苏南示范区围绕建设方案推进各项重点任务：技术转移机构体系进一步完善，\
                 新型研发机构新增多家，技术合同成交额保持增长；科技成果转化政策落实情况良好。"
            )),
            progress: Some(
                [
                    (1, "done", "省技术产权交易市场已上线运行（示例）"),
                    (2, "on_track", "已建成3个专业化转移机构（示例）"),
                    (3, "late", "人才培养计划完成六成（示例）"),
                ]
                .into_iter()
                .map(|(task, status, evidence)| crate::reports::TaskProgress {
                    task,
                    status: status.into(),
                    evidence: format!("{EXAMPLE}{evidence}"),
                })
                .collect(),
            ),
        };
        let (at, based_on) = ((SHOWCASE_ZONE, year), report.as_ref().map_or(0, |r| r.version));
        let mut version = crate::reports::edit(ctx, &province, origin, at, based_on, input).await?.version;
        if report.as_ref().is_none_or(|r| r.status != ReportStatus::Submitted) {
            let submitted = crate::reports::decide(ctx, &province, origin, at, version, ReportAction::Submit, None);
            version = submitted.await?.version;
        }
        crate::reports::decide(ctx, viewer, origin, at, version, ReportAction::Accept, None).await?;
    }

    let graded: Vec<u8> = ctx
        .store()
        .grades()
        .await?
        .into_iter()
        .filter(|g| g.zone == key && g.year == year && g.graded_by == DEMO_EXPERT_ACCOUNT)
        .map(|g| g.annex_row)
        .collect();
    let grades = [
        (13, 4, "高校、科研院所落实科技成果转化收益分配政策较好，个别单位尚未出台实施细则"),
        (14, 3, "财政资金和税收优惠支持到位，但技术转让所得税优惠享受面仍较窄"),
        (15, 4, "省、市、县三级技术转移工作网络基本形成"),
    ];
    for (annex_row, score, reasons) in grades.into_iter().filter(|(row, _, _)| !graded.contains(row)) {
        let grade = crate::policies::NewGrade {
            year,
            annex_row,
            score,
            reasons: format!("{EXAMPLE}{reasons}"),
            evidence: format!("{EXAMPLE}{year}年度报告及实地调研"),
            policies: Vec::new(),
        };
        crate::policies::grade(ctx, &expert, origin, SHOWCASE_ZONE, grade).await?;
    }
    Ok(())
}

/// The technology market on the showcase's ground, each part made once: a transfer office in 苏州 lists two
/// achievements (an auction with a bid from a firm in 昆山, a price by agreement), has a contract awaiting 苏州's
/// registrar, and keeps the rewards it paid last year in its ledger. Nothing is registered: the demo's figures
/// stay those of its datasets.
async fn market(ctx: &Context, viewer: &Viewer, origin: &str) -> Result<(), AppError> {
    let code = |c: &str| DivisionCode::parse(c).map_err(|e| AppError::Invalid(e.to_string()));
    let account = |name, role, division| demo_account(ctx, viewer, origin, (name, role, None, Some(division)));
    let seller = Viewer::Account(account(DEMO_SELLER_ACCOUNT, Role::Institution, code("320506")?).await?);
    let buyer = Viewer::Account(account(DEMO_BUYER_ACCOUNT, Role::Institution, code("320583")?).await?);
    account(DEMO_REGISTRAR_ACCOUNT, Role::Registrar, code("320500")?).await?;
    if !crate::listings::list(ctx, &seller, None, crate::listings::Whose::Listed).await?.is_empty() {
        return Ok(());
    }
    let today = ctx.clock().today();
    let day = |days: i64| today.checked_add(jiff::Span::new().days(days)).map(|d| d.to_string()).unwrap_or_default();
    let listing = |title: &str, method: &str, reserve: &str, days: i64| ttdz_domain::listing::ListingInput {
        title: format!("{EXAMPLE}{title}"),
        notice: format!(
            "{EXAMPLE}苏州某大学技术转移中心拟{method}转让该成果的专利权，欢迎有意受让的单位在公示期内报价。"
        ),
        method: method.to_owned(),
        contract_type: "技术转让".into(),
        reserve_yuan: reserve.into(),
        seller_name: "苏州某大学技术转移中心（示例）".into(),
        seller_division: "320506".into(),
        seller_kind: "高校".into(),
        field: "新材料".into(),
        opens_on: day(0),
        closes_on: day(days),
        ..ttdz_domain::listing::ListingInput::default()
    };
    let auction = crate::listings::open(
        ctx,
        &seller,
        origin,
        listing("一种高导热石墨烯复合材料的制备方法", "拍卖", "500000", 20),
    )
    .await?;
    let offer = crate::listings::BidInput {
        buyer_name: "昆山某新材料有限公司（示例）".into(),
        buyer_division: None,
        amount_yuan: "560000".into(),
    };
    crate::listings::bid(ctx, &buyer, origin, auction.id, offer).await?;
    crate::listings::open(ctx, &seller, origin, listing("工业机器人视觉定位算法", "协议定价", "300000", 15)).await?;

    let filing = ttdz_domain::registration::FilingInput {
        title: Some(format!("{EXAMPLE}钙钛矿太阳能电池制备工艺技术许可")),
        contract_type: "技术许可".into(),
        seller_name: Some("苏州某大学技术转移中心（示例）".into()),
        buyer_name: Some("昆山某光伏科技有限公司（示例）".into()),
        seller_division: "320506".into(),
        buyer_division: "320583".into(),
        seller_kind: "高校".into(),
        field: "新能源与节能".into(),
        signed_on: day(-10),
        turnover_yuan: "1200000".into(),
        tech_amount_yuan: "1200000".into(),
        vat_exempt: true,
        transfer_income: true,
        ..ttdz_domain::registration::FilingInput::default()
    };
    crate::registration::file(ctx, &seller, origin, filing).await?;

    let line = |name: &str, share: &str| ttdz_domain::reward::LineInput {
        name: name.into(),
        share: share.into(),
        amount_yuan: None,
    };
    let paid = ttdz_domain::reward::DistributionInput {
        achievement: format!("{EXAMPLE}高效钙钛矿太阳能电池制备工艺"),
        mode: "transfer".into(),
        year: ctx.clock().year() - 1,
        amount_yuan: "2000000".into(),
        institution_ratio: Some("70%".into()),
        lines: vec![line("张某（示例）", "0.5"), line("李某（示例）", "0.3"), line("王某（示例）", "0.2")],
        ..ttdz_domain::reward::DistributionInput::default()
    };
    crate::rewards::record(ctx, &seller, origin, paid).await?;
    Ok(())
}

/// The featured indicator the showcase's annual report states.
const SHOWCASE_REPORTED: &str = "new_rd_institutions";

/// The showcase zone's plan as recorded: Annex 1's outline, three key tasks, one featured indicator computed from
/// the contract registry and one the annual report states, each with targets.
fn showcase_plan(year: i32) -> serde_json::Value {
    let part = |text: &str| format!("{EXAMPLE}{text}");
    json!({
        "approval_number": part("示例批复文号"),
        "sections": {
            "建设基础和重要意义": part("苏南地区创新资源集聚，技术市场活跃。"),
            "总体要求": {
                "指导思想": part("以促进科技成果转移转化为主线。"),
                "建设原则": part("市场导向、政府引导、开放协同。"),
                "总体布局": part("以苏南国家自主创新示范区为核心。"),
                "建设目标与指标": part("技术合同成交额和技术交易额占比稳步提高。")
            },
            "特色定位": part("面向先进制造业的成果转化。"),
            "示范任务": part("建设技术产权交易市场，培育专业化转移机构。"),
            "组织实施": part("省科技厅牵头，各市分工负责。"),
            "重点任务分解与进度安排": part("见重点任务表。"),
            "建设目标与指标": part("见分年度指标目标。")
        },
        "targets": [
            {"indicator": "contract_turnover", "year": year - 1, "value": "25"},
            {"indicator": "contract_turnover", "year": year, "value": "28"}
        ],
        "tasks": [
            {"title": part("建设省技术产权交易市场"), "owner": "江苏省科技厅", "deadline": format!("{}-06-30", year - 1), "output": part("交易市场上线运行")},
            {"title": part("培育专业化技术转移机构"), "owner": "苏州市科技局", "deadline": format!("{}-12-31", year + 1), "output": part("新建5个专业化转移机构")},
            {"title": part("技术经纪人才培养"), "owner": "南京市科技局", "deadline": format!("{year}-12-31"), "output": part("培训技术经纪人1000人次")}
        ],
        "featured": [
            {
                "code": "tech_amount_share", "name": part("技术交易额占技术合同成交额比重"), "unit": "%",
                "direction": "+", "numerator": "contract_tech_amount_yuan",
                "denominator": "contract_turnover_yuan", "factor": "100",
                "targets": [{"year": year, "value": "85"}]
            },
            {
                "code": SHOWCASE_REPORTED, "name": part("新型研发机构数量"), "unit": "家", "direction": "+",
                "measure": "reported", "targets": [{"year": year, "value": "40"}]
            }
        ]
    })
}
