//! The page texts in Chinese (the default) and English. Data (names of zones and divisions, units as the guideline
//! prints them) stay in Chinese in both.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;

pub const LANG_COOKIE: &str = "ttdz_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// The page language: the `ttdz_lang` cookie set by the switch, else Chinese.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_cookie = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::parse(value));
        Ok(from_cookie.unwrap_or(Lang::Zh))
    }
}

pub struct Texts {
    pub site_name: &'static str,
    pub switch_to: &'static str,
    pub nav_zones: &'static str,
    pub nav_indicators: &'static str,
    pub nav_divisions: &'static str,
    pub nav_api: &'static str,
    pub intro: &'static str,
    pub zones_heading: &'static str,
    pub count_zones: &'static str,
    pub count_provinces: &'static str,
    pub count_units: &'static str,
    pub col_zone: &'static str,
    pub col_province: &'static str,
    pub col_members: &'static str,
    pub col_approved: &'static str,
    pub col_basic_units: &'static str,
    pub col_code: &'static str,
    pub col_name: &'static str,
    pub col_level: &'static str,
    pub col_note: &'static str,
    pub col_source: &'static str,
    pub unknown_date: &'static str,
    pub approval: &'static str,
    pub overlaps: &'static str,
    pub members_heading: &'static str,
    pub figures_heading: &'static str,
    pub figures_demo_note: &'static str,
    pub no_figures: &'static str,
    pub col_stat: &'static str,
    pub col_year: &'static str,
    pub col_value: &'static str,
    pub col_unit: &'static str,
    pub indicators_heading: &'static str,
    pub indicators_intro: &'static str,
    pub col_seq: &'static str,
    pub col_category: &'static str,
    pub col_indicator: &'static str,
    pub col_kind: &'static str,
    pub col_formula: &'static str,
    pub col_direction: &'static str,
    pub kind_quantitative: &'static str,
    pub kind_qualitative: &'static str,
    pub kind_featured: &'static str,
    pub unit_note_seq10: &'static str,
    pub divisions_heading: &'static str,
    pub level_province: &'static str,
    pub level_prefecture: &'static str,
    pub level_county: &'static str,
    pub children_heading: &'static str,
    pub zones_covering: &'static str,
    pub whole: &'static str,
    pub part: &'static str,
    pub census_population: &'static str,
    pub persons: &'static str,
    pub vintage: &'static str,
    pub api_heading: &'static str,
    pub api_intro: &'static str,
    pub not_found_heading: &'static str,
    pub not_found_text: &'static str,
    pub error_heading: &'static str,
    pub error_text: &'static str,
    pub footer: &'static str,
    pub indicators_for: &'static str,
    pub no_values: &'static str,
    pub col_growth: &'static str,
    pub col_basis: &'static str,
    pub basis_reported: &'static str,
    pub basis_sum: &'static str,
    pub synthetic: &'static str,
    pub synthetic_note: &'static str,
    pub data_heading: &'static str,
    pub data_intro: &'static str,
    pub col_kind_source: &'static str,
    pub col_files: &'static str,
    pub col_checksum: &'static str,
    pub col_recorded: &'static str,
    pub nav_data: &'static str,
    pub nav_evaluation: &'static str,
    pub evaluation_heading: &'static str,
    pub evaluation_intro: &'static str,
    pub col_score: &'static str,
    pub col_rank: &'static str,
    pub col_relative: &'static str,
    pub col_group: &'static str,
    pub group_leader: &'static str,
    pub group_strong: &'static str,
    pub group_moderate: &'static str,
    pub group_emerging: &'static str,
    pub excluded_heading: &'static str,
}

pub static ZH: Texts = Texts {
    site_name: "国家科技成果转化示范区管理平台",
    switch_to: "English",
    nav_zones: "示范区",
    nav_indicators: "指标体系",
    nav_divisions: "行政区划",
    nav_api: "开放接口",
    intro: "依据《国家科技成果转化示范区建设指引》（国科发创〔2017〕304号），本平台支撑示范区的建设、监测评估与示范推广。",
    zones_heading: "已确认的国家科技成果转移转化示范区",
    count_zones: "个示范区",
    count_provinces: "个省级行政区",
    count_units: "个县级单元（区域重叠只计一次）",
    col_zone: "示范区",
    col_province: "建设主体",
    col_members: "范围",
    col_approved: "批复时间",
    col_basic_units: "县级单元",
    col_code: "代码",
    col_name: "名称",
    col_level: "层级",
    col_note: "说明",
    col_source: "来源",
    unknown_date: "未经来源确认",
    approval: "批复",
    overlaps: "与其他示范区重叠",
    members_heading: "范围（成员行政区划）",
    figures_heading: "公开统计数据",
    figures_demo_note: "演示数据：摘自公开报道与统计公报（多为转载），逐条注明来源，仅供参考；其中地区生产总值、常住人口、技术合同成交额等也作为演示数值（demo:published-values）参与指标计算。",
    no_figures: "暂无公开统计数据（运行 ttdz demo load 载入演示数据）。",
    col_stat: "统计项",
    col_year: "年份",
    col_value: "数值",
    col_unit: "单位",
    indicators_heading: "国家科技成果转化示范区建设指标体系（附件2）",
    indicators_intro: "指标名称、分类与单位均照录指引原文。定量指标 = 系数 × Σ分子 / Σ分母，按区域内各行政区划加总后再求比值。",
    col_seq: "序号",
    col_category: "一级指标",
    col_indicator: "二级指标",
    col_kind: "类型",
    col_formula: "计算口径",
    col_direction: "方向",
    kind_quantitative: "定量",
    kind_qualitative: "定性",
    kind_featured: "特色",
    unit_note_seq10: "第10项单位原文印作“人”，但该指标统计的是机构数；照录原文。",
    divisions_heading: "行政区划（GB/T 2260）",
    level_province: "省级",
    level_prefecture: "地级",
    level_county: "县级",
    children_heading: "下级区划",
    zones_covering: "所在示范区",
    whole: "全部",
    part: "部分",
    census_population: "常住人口（第七次全国人口普查）",
    persons: "人",
    vintage: "区划代码版本",
    api_heading: "开放接口",
    api_intro: "所有接口返回 JSON，位于 /api/v1 下；错误返回稳定的 error 代码和说明。OpenAPI 3 文档由代码生成：",
    not_found_heading: "页面不存在",
    not_found_text: "找不到您访问的页面。",
    error_heading: "服务出错",
    error_text: "服务暂时无法完成请求，详情已记入服务器日志。",
    footer: "数据来源见各数据集说明；行政区划为国家统计局2023年统计用区划代码。",
    indicators_for: "指标",
    no_values: "暂无数据。可用 ttdz import values / ttdz import contracts 导入，或运行 ttdz demo load 载入演示数据。",
    col_growth: "同比",
    col_basis: "口径",
    basis_reported: "报告值",
    basis_sum: "下级合计",
    synthetic: "合成数据",
    synthetic_note: "标有“合成数据”的数值含有为演示生成的技术合同样本，不是真实数据。",
    data_heading: "数据来源",
    data_intro: "每个数值都记录其来源数据集或导入批次；校验和为所导入文件的 SHA-256。",
    col_kind_source: "类别",
    col_files: "文件",
    col_checksum: "SHA-256",
    col_recorded: "记录",
    nav_data: "数据来源",
    nav_evaluation: "评估",
    evaluation_heading: "示范区比较评估",
    evaluation_intro: "各定量指标按方向在示范区间作最小-最大标准化（0-100），等权算术平均得到一级指标得分与总分；总分相对全部示范区平均值（=100）分组：领先（>125）、强（100-125）、中等（70-100）、新兴（<70）。规划目标值录入后将同时给出目标达成度。",
    col_score: "得分",
    col_rank: "排名",
    col_relative: "相对平均",
    col_group: "分组",
    group_leader: "领先",
    group_strong: "强",
    group_moderate: "中等",
    group_emerging: "新兴",
    excluded_heading: "本年度未纳入评估的指标",
};

pub static EN: Texts = Texts {
    site_name: "National S&T Achievement Transformation Demonstration Zones",
    switch_to: "中文",
    nav_zones: "Zones",
    nav_indicators: "Indicators",
    nav_divisions: "Divisions",
    nav_api: "Open API",
    intro: "Following the Guideline for Building National S&T Achievement Transformation Demonstration Zones (国科发创〔2017〕304号), this platform supports building, monitoring, evaluating and promoting the zones.",
    zones_heading: "Confirmed national demonstration zones",
    count_zones: " zones",
    count_provinces: " provinces",
    count_units: " county-level units covered (overlaps counted once)",
    col_zone: "Zone",
    col_province: "Province",
    col_members: "Area",
    col_approved: "Approved",
    col_basic_units: "County units",
    col_code: "Code",
    col_name: "Name",
    col_level: "Level",
    col_note: "Note",
    col_source: "Source",
    unknown_date: "not confirmed by a source",
    approval: "Approval",
    overlaps: "Overlaps with",
    members_heading: "Area (member divisions)",
    figures_heading: "Published figures",
    figures_demo_note: "Demo data: figures from published news items and bulletins (mostly reposts), each with its source, for reference; those that measure a data element (GDP, population, contract turnover, institutions) also enter the indicators as demo values (demo:published-values).",
    no_figures: "No published figures yet (run ttdz demo load to add the demo data).",
    col_stat: "Statistic",
    col_year: "Year",
    col_value: "Value",
    col_unit: "Unit",
    indicators_heading: "Indicator system of the demonstration zones (Annex 2)",
    indicators_intro: "Names, categories and units are kept exactly as the guideline prints them. A quantitative indicator = factor × Σ numerator / Σ denominator, summed over the area's divisions before dividing.",
    col_seq: "No.",
    col_category: "Category",
    col_indicator: "Indicator",
    col_kind: "Kind",
    col_formula: "Formula",
    col_direction: "Direction",
    kind_quantitative: "quantitative",
    kind_qualitative: "qualitative",
    kind_featured: "featured",
    unit_note_seq10: "Row 10's unit is printed as 人 (persons) although the indicator counts institutions; kept as printed.",
    divisions_heading: "Administrative divisions (GB/T 2260)",
    level_province: "province",
    level_prefecture: "prefecture",
    level_county: "county",
    children_heading: "Subdivisions",
    zones_covering: "In zones",
    whole: "whole",
    part: "part",
    census_population: "Resident population (2020 census)",
    persons: "persons",
    vintage: "Code vintage",
    api_heading: "Open API",
    api_intro: "Every endpoint answers JSON under /api/v1; errors carry a stable error code and a message. The OpenAPI 3 document is generated from the code:",
    not_found_heading: "Not found",
    not_found_text: "There is no page at this address.",
    error_heading: "Server error",
    error_text: "The request could not be completed; the details are in the server log.",
    footer: "Sources are given with each dataset; divisions are the NBS 2023 statistical division codes.",
    indicators_for: "Indicators",
    no_values: "No data yet. Import with ttdz import values / ttdz import contracts, or load the demo data with ttdz demo load.",
    col_growth: "YoY",
    col_basis: "Basis",
    basis_reported: "reported",
    basis_sum: "sum of parts",
    synthetic: "synthetic",
    synthetic_note: "Values marked synthetic include a generated sample of technology contracts for demonstration; they are not real data.",
    data_heading: "Data sources",
    data_intro: "Every value records the dataset or import batch it came from; checksums are SHA-256 of the imported files.",
    col_kind_source: "Kind",
    col_files: "Files",
    col_checksum: "SHA-256",
    col_recorded: "Recorded",
    nav_data: "Data sources",
    nav_evaluation: "Evaluation",
    evaluation_heading: "Comparative evaluation of the zones",
    evaluation_intro: "Each quantitative indicator is min-max normalised across the zones (0-100, after its direction) and averaged with equal weights into category scores and an overall score; overall scores relative to the all-zone average (= 100) give the group: leader (>125), strong (100-125), moderate (70-100), emerging (<70). Target attainment joins once the plans' targets are recorded.",
    col_score: "Score",
    col_rank: "Rank",
    col_relative: "vs. average",
    col_group: "Group",
    group_leader: "leader",
    group_strong: "strong",
    group_moderate: "moderate",
    group_emerging: "emerging",
    excluded_heading: "Indicators not evaluated this year",
};

/// A label for a published statistic's code, in the page language; unknown codes show as they are.
pub fn stat_label(stat: &str, lang: &Lang) -> String {
    let base = stat.strip_suffix("_city").or_else(|| stat.strip_suffix("_district")).unwrap_or(stat);
    let (zh, en) = match base {
        "gdp" => ("地区生产总值", "GDP"),
        "population_yearend" => ("年末常住人口", "Year-end resident population"),
        "tech_contract_turnover" => ("技术合同成交额", "Technology contract turnover"),
        "tech_contract_absorbed" => ("技术合同吸纳额", "Technology contracts absorbed"),
        "hightech_enterprises" => ("高新技术企业数", "High-tech enterprises"),
        "invention_patents_per_10k" => ("每万人口发明专利拥有量", "Invention patents per 10 000 residents"),
        "high_value_invention_patents_per_10k" => {
            ("每万人口高价值发明专利拥有量", "High-value invention patents per 10 000 residents")
        }
        "incubators_all" => ("科技企业孵化器数", "Technology business incubators"),
        "national_incubators" => ("国家级科技企业孵化器数", "National incubators"),
        "national_maker_spaces" => ("国家备案众创空间数", "National maker spaces"),
        "national_tech_transfer_institutions" => {
            ("国家技术转移示范机构数", "National technology transfer demonstration institutions")
        }
        _ => return stat.to_owned(),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}
