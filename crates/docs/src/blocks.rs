//! What each document says, once, as blocks every format lays out.

use ttdz_app::annual::{AnnualDocument, DocumentRow, NationalDocument, TermDocument};

use crate::Document;
use crate::charts;

/// A piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Paragraph(String),
    /// A statement the reader must not miss (synthetic data, no data, lateness).
    Note(String),
    Heading(String),
    Subheading(String),
    Table(Table),
    Figure(Figure),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Relative widths of the columns, one per header.
    pub widths: Vec<u8>,
    pub rows: Vec<Vec<String>>,
}

/// A chart with the name printed above it (empty where the caption says it all).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub label: String,
    /// SVG, as `charts` draws it.
    pub svg: String,
}

/// Charts side by side under one caption.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub caption: String,
    pub charts: Vec<Chart>,
    /// How many charts stand in a row.
    pub columns: usize,
}

/// The width of the text on A4 with 2.54 cm margins, in centimetres; every format prints on that page.
pub(crate) const TEXT_WIDTH_CM: f64 = 15.9;
/// The tallest a chart may print, leaving room for its caption.
const CHART_HEIGHT_CM: f64 = 21.0;

impl Figure {
    /// The size `chart` prints at, in centimetres: a little larger than on screen, within its column and the page.
    pub fn printed_size(&self, chart: &Chart) -> (f64, f64) {
        let (width, height) = charts::size(&chart.svg).unwrap_or((240.0, 72.0));
        // 96 px to the inch on screen; 1.3 times that on paper reads comfortably.
        let mut cm = (width * 2.54 / 96.0 * 1.3).min(TEXT_WIDTH_CM / self.columns.max(1) as f64 * 0.96);
        if cm * height / width > CHART_HEIGHT_CM {
            cm = CHART_HEIGHT_CM * width / height;
        }
        (cm, cm * height / width)
    }
}

const HEADERS: [&str; 9] = ["序号", "指标", "单位", "数值", "上年", "同比", "目标", "完成率", "来源"];
const WIDTHS: [u8; 9] = [3, 8, 3, 5, 5, 4, 5, 4, 8];

fn indicator_table(rows: &[&DocumentRow]) -> Block {
    Block::Table(Table {
        headers: HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        widths: WIDTHS.to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                let value = if r.synthetic { format!("{}（合成）", r.value) } else { r.value.clone() };
                vec![
                    r.seq.clone(),
                    r.name.clone(),
                    r.unit.clone(),
                    value,
                    r.previous.clone(),
                    r.growth.clone(),
                    r.target.clone(),
                    r.attainment.clone(),
                    r.source.clone(),
                ]
            })
            .collect(),
    })
}

/// Bars of each row's attainment of its target, in per cent.
fn attainment_figure(rows: &[&DocumentRow]) -> Option<Block> {
    let items: Vec<(String, Option<f64>, String)> = rows
        .iter()
        .filter_map(|r| {
            let ratio: f64 = r.attainment_ratio.as_deref()?.parse().ok()?;
            Some((r.name.clone(), Some(ratio * 100.0), r.attainment.clone()))
        })
        .collect();
    (!items.is_empty()).then(|| {
        Block::Figure(Figure {
            caption: "目标完成率（%，100 为完成目标）".to_owned(),
            charts: vec![Chart { label: String::new(), svg: charts::bars("目标完成率", &items) }],
            columns: 1,
        })
    })
}

/// The trend of every quantitative indicator with at least two years of values.
fn trend_figure(doc: &AnnualDocument) -> Option<Block> {
    let size = ttdz_app::format::AreaSize::Large;
    let charts: Vec<Chart> = doc
        .trends
        .iter()
        .filter(|t| t.points.iter().filter(|p| p.value.is_some()).count() >= 2)
        .map(|t| {
            let points: Vec<(i32, Option<f64>)> =
                t.points.iter().map(|p| (p.year, p.value.as_deref().and_then(|v| v.parse().ok()))).collect();
            let shown = |v: f64| ttdz_app::format::indicator_value(&v.to_string(), &t.unit_zh, &t.name_zh, size).0;
            let label = format!("{}（{}）", t.name_zh, t.unit_zh);
            Chart { svg: charts::trend(&label, &points, &shown), label }
        })
        .collect();
    let (first, last) = (doc.trends.iter().flat_map(|t| t.points.first()).map(|p| p.year).min(), doc.year);
    (!charts.is_empty()).then(|| {
        Block::Figure(Figure {
            caption: format!("各项指标历年走势（{}—{last} 年）", first.unwrap_or(last)),
            charts,
            columns: 3,
        })
    })
}

fn annual_title(doc: &AnnualDocument) -> String {
    format!("{} {} 年度建设情况报告", doc.zone_name, doc.year)
}

/// What the figures rest on, said before them: no data, or synthetic data.
fn data_notes(doc: &AnnualDocument) -> Vec<Block> {
    let mut out = Vec::new();
    if !doc.has_data {
        out.push(Block::Note(format!("{} 年尚无该示范区的指标数据。", doc.year)));
    }
    if doc.synthetic {
        out.push(Block::Note("标有“合成”的数值含有为演示生成的数据，不是真实数据。".to_owned()));
    }
    out
}

/// Where the year's written report stands, and whether it came late.
fn status_note(doc: &AnnualDocument) -> Block {
    Block::Note(match (doc.report_status, &doc.submitted_at) {
        (Some(status), Some(at)) => {
            format!("年度报告状态：{status}，报送于 {at}{}。", if doc.late { "（逾期）" } else { "" })
        }
        (Some(status), None) => format!("年度报告状态：{status}。"),
        _ => "该年度报告尚未报送或尚未公开。".to_owned(),
    })
}

/// The indicator sections of an annual report, headed by the next of `numbers`.
fn indicator_sections(doc: &AnnualDocument, numbers: &mut impl Iterator<Item = &'static str>) -> Vec<Block> {
    let mut out = Vec::new();
    let rows: Vec<&DocumentRow> = doc.rows.iter().collect();
    let featured: Vec<&DocumentRow> = doc.featured.iter().collect();
    out.push(Block::Heading(format!("{}、指标完成情况（附件2）", next(numbers))));
    out.push(indicator_table(&rows));
    if !featured.is_empty() {
        out.push(Block::Heading(format!("{}、特色指标", next(numbers))));
        out.push(indicator_table(&featured));
    }
    let all: Vec<&DocumentRow> = rows.iter().chain(&featured).copied().collect();
    let figures: Vec<Block> = attainment_figure(&all).into_iter().chain(trend_figure(doc)).collect();
    if !figures.is_empty() {
        out.push(Block::Heading(format!("{}、图表", next(numbers))));
        out.extend(figures);
    }
    out
}

fn next(numbers: &mut impl Iterator<Item = &'static str>) -> &'static str {
    numbers.next().unwrap_or("")
}

const NUMBERS: [&str; 8] = ["一", "二", "三", "四", "五", "六", "七", "八"];

impl Document for AnnualDocument {
    fn title(&self) -> String {
        annual_title(self)
    }

    fn made_on(&self) -> &str {
        &self.made_on
    }

    fn blocks(&self) -> Vec<Block> {
        let mut out = vec![Block::Title(annual_title(self))];
        out.extend(
            [
                format!("示范区：{}（{}）", self.zone_name, self.zone_key),
                format!("建设主体：{}", self.province),
                format!("范围：{}", self.members.join("、")),
                format!("生成日期：{}", self.made_on),
            ]
            .map(Block::Paragraph),
        );
        out.extend(data_notes(self));
        out.push(status_note(self));
        let mut numbers = NUMBERS.into_iter();
        out.extend(indicator_sections(self, &mut numbers));
        if !self.tasks.is_empty() {
            out.push(Block::Heading(format!("{}、重点任务进展", next(&mut numbers))));
            out.push(Block::Table(Table {
                headers: ["任务", "完成时限", "进展", "依据"].map(str::to_owned).to_vec(),
                widths: vec![8, 3, 3, 8],
                rows: self
                    .tasks
                    .iter()
                    .map(|t| vec![t.title.clone(), t.deadline.clone(), t.status.clone(), t.evidence.clone()])
                    .collect(),
            }));
        }
        if let Some(text) = &self.text {
            out.push(Block::Heading(format!("{}、年度建设情况", next(&mut numbers))));
            out.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Block::Paragraph(l.to_owned())));
        }
        out
    }
}

fn national_title(doc: &NationalDocument) -> String {
    match doc.year {
        Some(y) => format!("国家科技成果转化示范区 {y} 年度总结"),
        None => "国家科技成果转化示范区年度总结".to_owned(),
    }
}

impl Document for NationalDocument {
    fn title(&self) -> String {
        national_title(self)
    }

    fn made_on(&self) -> &str {
        &self.made_on
    }

    fn blocks(&self) -> Vec<Block> {
        let mut out = vec![Block::Title(national_title(self)), Block::Paragraph(format!("生成日期：{}", self.made_on))];
        if self.zones.is_empty() {
            out.push(Block::Note("该年度尚无可比较的示范区指标数据。".to_owned()));
        }
        if self.synthetic {
            out.push(Block::Note("标有“合成”的得分含有为演示生成的数据，不是真实数据。".to_owned()));
        }
        out.push(Block::Heading("一、示范区比较评估".to_owned()));
        out.push(Block::Table(Table {
            headers: ["排名", "示范区", "得分", "相对平均", "分组", "目标达成度"].map(str::to_owned).to_vec(),
            widths: vec![2, 10, 3, 3, 2, 3],
            rows: self
                .zones
                .iter()
                .map(|z| {
                    let score = if z.synthetic { format!("{}（合成）", z.score) } else { z.score.clone() };
                    vec![
                        z.rank.clone(),
                        z.name.clone(),
                        score,
                        z.relative.clone(),
                        z.group.clone(),
                        z.attainment.clone(),
                    ]
                })
                .collect(),
        }));
        let scores: Vec<(String, Option<f64>, String)> =
            self.zones.iter().map(|z| (z.name.clone(), z.score.parse().ok(), z.score.clone())).collect();
        if scores.iter().any(|(_, v, _)| v.is_some()) {
            out.push(Block::Figure(Figure {
                caption: "综合得分（0—100）".to_owned(),
                charts: vec![Chart { label: String::new(), svg: charts::bars("综合得分", &scores) }],
                columns: 1,
            }));
        }
        out.push(Block::Paragraph(self.method.clone()));
        out.extend(self.excluded.iter().map(|e| Block::Paragraph(format!("未参与比较：{e}"))));
        out.push(Block::Heading("二、可复制推广的经验".to_owned()));
        if self.experiences.is_empty() {
            out.push(Block::Paragraph("本年度尚无发布的经验。".to_owned()));
        }
        for e in &self.experiences {
            out.push(Block::Subheading(format!("{}（{}，{}）", e.title, e.zone, e.published_on)));
            out.push(Block::Paragraph(e.summary.clone()));
        }
        out
    }
}

fn term_title(doc: &TermDocument) -> String {
    format!("{} 建设期总结评估报告（{} 年）", doc.year.zone_name, doc.year.year)
}

impl Document for TermDocument {
    fn title(&self) -> String {
        term_title(self)
    }

    fn made_on(&self) -> &str {
        &self.year.made_on
    }

    fn blocks(&self) -> Vec<Block> {
        let mut out =
            vec![Block::Title(term_title(self)), Block::Paragraph(format!("生成日期：{}", self.year.made_on))];
        out.extend(data_notes(&self.year));
        out.push(Block::Heading(format!("一、评估结论（建议）：{}", self.verdict)));
        out.push(Block::Paragraph(format!("目标平均完成率：{}", self.attainment)));
        out.extend(self.reasons.iter().map(|(towards, text)| Block::Paragraph(format!("〔{towards}〕{text}"))));
        let mut numbers = NUMBERS.into_iter().skip(1);
        out.extend(indicator_sections(&self.year, &mut numbers));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: &str = "—";

    #[test]
    fn a_figure_without_values_is_left_out() {
        let row = DocumentRow {
            seq: "1".into(),
            name: "n".into(),
            unit: "u".into(),
            value: NONE.into(),
            previous: NONE.into(),
            growth: NONE.into(),
            target: NONE.into(),
            attainment: NONE.into(),
            attainment_ratio: None,
            source: String::new(),
            synthetic: false,
        };
        assert_eq!(attainment_figure(&[&row]), None);
        let met = DocumentRow { attainment_ratio: Some("1.05".into()), attainment: "105.0%".into(), ..row };
        let Some(Block::Figure(figure)) = attainment_figure(&[&met]) else { panic!("a figure") };
        assert!(figure.charts[0].svg.contains("105.0%"), "{}", figure.charts[0].svg);
    }
}
