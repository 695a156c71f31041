//! Documents for people who file and edit them: the annual report of a zone (`ttdz_app::annual::AnnualDocument`) and
//! the national summary of a year (`NationalDocument`) as Markdown and as Word documents (.docx, Office Open XML written directly: A4, a CJK font, the table header repeated on
//! every page, page numbers in the footer). The model is the use case's; this crate only lays it out, so a figure
//! reads the same here as on the page and in the API.

use std::io::Write;

use ttdz_app::annual::{AnnualDocument, DocumentRow, NationalDocument, TermDocument};

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("cannot write the document: {0}")]
    Write(String),
}

/// A document's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Word (.docx).
    Docx,
    /// Markdown (.md).
    Markdown,
    /// The model itself, as JSON.
    Json,
}

impl Format {
    /// From a file's extension (`docx`, `md`, `json`).
    pub fn parse(extension: &str) -> Option<Format> {
        match extension {
            "docx" => Some(Format::Docx),
            "md" => Some(Format::Markdown),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// A document this crate lays out.
pub trait Document: serde::Serialize {
    fn docx(&self) -> Result<Vec<u8>, DocumentError>;
    fn markdown(&self) -> String;
}

impl Document for AnnualDocument {
    fn docx(&self) -> Result<Vec<u8>, DocumentError> {
        docx(self)
    }
    fn markdown(&self) -> String {
        markdown(self)
    }
}

impl Document for NationalDocument {
    fn docx(&self) -> Result<Vec<u8>, DocumentError> {
        national_docx(self)
    }
    fn markdown(&self) -> String {
        national_markdown(self)
    }
}

impl Document for TermDocument {
    fn docx(&self) -> Result<Vec<u8>, DocumentError> {
        term_docx(self)
    }
    fn markdown(&self) -> String {
        term_markdown(self)
    }
}

/// `doc` in `format`.
pub fn render(doc: &impl Document, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => doc.docx(),
        Format::Markdown => Ok(doc.markdown().into_bytes()),
        Format::Json => serde_json::to_vec_pretty(doc).map_err(|e| DocumentError::Write(e.to_string())),
    }
}

const HEADERS: [&str; 9] = ["序号", "指标", "单位", "数值", "上年", "同比", "目标", "完成率", "来源"];

fn cells(r: &DocumentRow) -> [String; 9] {
    let value = if r.synthetic { format!("{}（合成）", r.value) } else { r.value.clone() };
    [
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
}

fn title(doc: &AnnualDocument) -> String {
    format!("{} {} 年度建设情况报告", doc.zone_name, doc.year)
}

/// The statement a document opens with when it rests on synthetic data, or has none.
fn notes(doc: &AnnualDocument) -> Vec<String> {
    let mut out = Vec::new();
    if !doc.has_data {
        out.push(format!("{} 年尚无该示范区的指标数据。", doc.year));
    }
    if doc.synthetic {
        out.push("标有“合成”的数值含有为演示生成的数据，不是真实数据。".to_owned());
    }
    match (doc.report_status, &doc.submitted_at) {
        (Some(status), Some(at)) => {
            out.push(format!("年度报告状态：{status}，报送于 {at}{}。", if doc.late { "（逾期）" } else { "" }))
        }
        (Some(status), None) => out.push(format!("年度报告状态：{status}。")),
        _ => out.push("该年度报告尚未报送或尚未公开。".to_owned()),
    }
    out
}

/// The report as Markdown.
pub fn markdown(doc: &AnnualDocument) -> String {
    let mut md = format!("# {}\n\n", title(doc));
    md.push_str(&format!(
        "- 示范区：{}（{}）\n- 建设主体：{}\n- 范围：{}\n- 生成日期：{}\n\n",
        doc.zone_name,
        doc.zone_key,
        doc.province,
        doc.members.join("、"),
        doc.made_on
    ));
    for note in notes(doc) {
        md.push_str(&format!("> {note}\n\n"));
    }
    let table = |rows: &[DocumentRow]| {
        let mut t = format!("| {} |\n|{}\n", HEADERS.join(" | "), "---|".repeat(HEADERS.len()));
        for r in rows {
            let line: Vec<String> = cells(r).iter().map(|c| c.replace('|', "／")).collect();
            t.push_str(&format!("| {} |\n", line.join(" | ")));
        }
        t
    };
    md.push_str("## 一、指标完成情况（附件2）\n\n");
    md.push_str(&table(&doc.rows));
    if !doc.featured.is_empty() {
        md.push_str("\n## 二、特色指标\n\n");
        md.push_str(&table(&doc.featured));
    }
    if !doc.tasks.is_empty() {
        md.push_str("\n## 三、重点任务进展\n\n| 任务 | 完成时限 | 进展 | 依据 |\n|---|---|---|---|\n");
        for t in &doc.tasks {
            md.push_str(&format!("| {} | {} | {} | {} |\n", t.title, t.deadline, t.status, t.evidence));
        }
    }
    if let Some(text) = &doc.text {
        md.push_str("\n## 四、年度建设情况\n\n");
        md.push_str(text);
        md.push('\n');
    }
    md
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn paragraph(text: &str, style: Option<&str>) -> String {
    let style = style.map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)).unwrap_or_default();
    format!(r#"<w:p>{style}<w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, xml(text))
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |text: &str, bold: bool| {
        let run = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
        format!(r#"<w:tc><w:p><w:r>{run}<w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#, xml(text))
    };
    let mut t =
        String::from(r#"<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="5000" w:type="pct"/></w:tblPr>"#);
    // The header row repeats on every page the table runs over.
    t.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
    for h in headers {
        t.push_str(&cell(h, true));
    }
    t.push_str("</w:tr>");
    for row in rows {
        t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for c in row {
            t.push_str(&cell(c, false));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

/// The report as a Word document.
pub fn docx(doc: &AnnualDocument) -> Result<Vec<u8>, DocumentError> {
    let mut body = paragraph(&title(doc), Some("Title"));
    for line in [
        format!("示范区：{}（{}）", doc.zone_name, doc.zone_key),
        format!("建设主体：{}", doc.province),
        format!("范围：{}", doc.members.join("、")),
        format!("生成日期：{}", doc.made_on),
    ] {
        body.push_str(&paragraph(&line, None));
    }
    for note in notes(doc) {
        body.push_str(&paragraph(&note, Some("Note")));
    }
    let rows = |list: &[DocumentRow]| list.iter().map(|r| cells(r).to_vec()).collect::<Vec<_>>();
    body.push_str(&paragraph("一、指标完成情况（附件2）", Some("Heading1")));
    body.push_str(&table(&HEADERS, &rows(&doc.rows)));
    if !doc.featured.is_empty() {
        body.push_str(&paragraph("二、特色指标", Some("Heading1")));
        body.push_str(&table(&HEADERS, &rows(&doc.featured)));
    }
    if !doc.tasks.is_empty() {
        body.push_str(&paragraph("三、重点任务进展", Some("Heading1")));
        let tasks: Vec<Vec<String>> = doc
            .tasks
            .iter()
            .map(|t| vec![t.title.clone(), t.deadline.clone(), t.status.clone(), t.evidence.clone()])
            .collect();
        body.push_str(&table(&["任务", "完成时限", "进展", "依据"], &tasks));
    }
    if let Some(text) = &doc.text {
        body.push_str(&paragraph("四、年度建设情况", Some("Heading1")));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            body.push_str(&paragraph(line.trim(), None));
        }
    }
    package(body)
}

/// A Word package around `body` (paragraphs and tables): A4, 2.54 cm margins, the footer with the page number.
fn package(mut body: String) -> Result<Vec<u8>, DocumentError> {
    body.push_str(
        r#"<w:sectPr><w:footerReference w:type="default" r:id="rFooter"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>"#,
    );
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let fail = |e: &dyn std::fmt::Display| DocumentError::Write(e.to_string());
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", STYLES.to_owned()),
        ("word/footer1.xml", FOOTER.to_owned()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(content.as_bytes()).map_err(|e| fail(&e))?;
    }
    zip.finish().map_err(|e| fail(&e))?;
    Ok(out.into_inner())
}

const SUMMARY_HEADERS: [&str; 6] = ["排名", "示范区", "得分", "相对平均", "分组", "目标达成度"];

fn national_title(doc: &NationalDocument) -> String {
    match doc.year {
        Some(y) => format!("国家科技成果转化示范区 {y} 年度总结"),
        None => "国家科技成果转化示范区年度总结".to_owned(),
    }
}

fn summary_rows(doc: &NationalDocument) -> Vec<Vec<String>> {
    doc.zones
        .iter()
        .map(|z| {
            let score = if z.synthetic { format!("{}（合成）", z.score) } else { z.score.clone() };
            vec![z.rank.clone(), z.name.clone(), score, z.relative.clone(), z.group.clone(), z.attainment.clone()]
        })
        .collect()
}

/// The national summary as Markdown.
pub fn national_markdown(doc: &NationalDocument) -> String {
    let mut md = format!("# {}\n\n- 生成日期：{}\n\n", national_title(doc), doc.made_on);
    if doc.zones.is_empty() {
        md.push_str("> 该年度尚无可比较的示范区指标数据。\n\n");
    }
    if doc.synthetic {
        md.push_str("> 标有“合成”的得分含有为演示生成的数据，不是真实数据。\n\n");
    }
    md.push_str("## 一、示范区比较评估\n\n");
    md.push_str(&format!("| {} |\n|{}\n", SUMMARY_HEADERS.join(" | "), "---|".repeat(SUMMARY_HEADERS.len())));
    for row in summary_rows(doc) {
        md.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    md.push_str(&format!("\n{}\n", doc.method));
    if !doc.excluded.is_empty() {
        md.push_str("\n未参与比较的指标：\n\n");
        for e in &doc.excluded {
            md.push_str(&format!("- {e}\n"));
        }
    }
    md.push_str("\n## 二、可复制推广的经验\n\n");
    if doc.experiences.is_empty() {
        md.push_str("本年度尚无发布的经验。\n");
    }
    for e in &doc.experiences {
        md.push_str(&format!("### {}（{}，{}）\n\n{}\n\n", e.title, e.zone, e.published_on, e.summary));
    }
    md
}

/// The national summary as a Word document.
pub fn national_docx(doc: &NationalDocument) -> Result<Vec<u8>, DocumentError> {
    let mut body = paragraph(&national_title(doc), Some("Title"));
    body.push_str(&paragraph(&format!("生成日期：{}", doc.made_on), None));
    if doc.zones.is_empty() {
        body.push_str(&paragraph("该年度尚无可比较的示范区指标数据。", Some("Note")));
    }
    if doc.synthetic {
        body.push_str(&paragraph("标有“合成”的得分含有为演示生成的数据，不是真实数据。", Some("Note")));
    }
    body.push_str(&paragraph("一、示范区比较评估", Some("Heading1")));
    body.push_str(&table(&SUMMARY_HEADERS, &summary_rows(doc)));
    body.push_str(&paragraph(&doc.method, None));
    for e in &doc.excluded {
        body.push_str(&paragraph(&format!("未参与比较：{e}"), None));
    }
    body.push_str(&paragraph("二、可复制推广的经验", Some("Heading1")));
    if doc.experiences.is_empty() {
        body.push_str(&paragraph("本年度尚无发布的经验。", None));
    }
    for e in &doc.experiences {
        body.push_str(&paragraph(&format!("{}（{}，{}）", e.title, e.zone, e.published_on), Some("Heading2")));
        body.push_str(&paragraph(&e.summary, None));
    }
    package(body)
}

fn term_title(doc: &TermDocument) -> String {
    format!("{} 建设期总结评估报告（{} 年）", doc.year.zone_name, doc.year.year)
}

/// The term evaluation as Markdown.
pub fn term_markdown(doc: &TermDocument) -> String {
    let mut md = format!("# {}\n\n- 生成日期：{}\n\n", term_title(doc), doc.year.made_on);
    md.push_str(&format!("## 一、评估结论（建议）：{}\n\n目标平均完成率：{}\n\n", doc.verdict, doc.attainment));
    for (towards, text) in &doc.reasons {
        md.push_str(&format!("- 〔{towards}〕{text}\n"));
    }
    md.push_str("\n## 二、指标完成情况\n\n");
    md.push_str(&format!("| {} |\n|{}\n", HEADERS.join(" | "), "---|".repeat(HEADERS.len())));
    for r in doc.year.rows.iter().chain(&doc.year.featured) {
        md.push_str(&format!("| {} |\n", cells(r).join(" | ")));
    }
    md
}

/// The term evaluation as a Word document.
pub fn term_docx(doc: &TermDocument) -> Result<Vec<u8>, DocumentError> {
    let mut body = paragraph(&term_title(doc), Some("Title"));
    body.push_str(&paragraph(&format!("生成日期：{}", doc.year.made_on), None));
    body.push_str(&paragraph(&format!("一、评估结论（建议）：{}", doc.verdict), Some("Heading1")));
    body.push_str(&paragraph(&format!("目标平均完成率：{}", doc.attainment), None));
    for (towards, text) in &doc.reasons {
        body.push_str(&paragraph(&format!("〔{towards}〕{text}"), None));
    }
    body.push_str(&paragraph("二、指标完成情况", Some("Heading1")));
    let rows: Vec<Vec<String>> = doc.year.rows.iter().chain(&doc.year.featured).map(|r| cells(r).to_vec()).collect();
    body.push_str(&table(&HEADERS, &rows));
    package(body)
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rDocument" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">第 </w:t></w:r><w:fldSimple w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> 页</w:t></w:r></w:p></w:ftr>"#;

/// A CJK font for Chinese text (Noto Sans CJK SC where installed; Word falls back to SimSun), headings, the note
/// style and a grid table style.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Noto Sans CJK SC" w:hAnsi="Noto Sans CJK SC" w:eastAsia="Noto Sans CJK SC" w:cs="Noto Sans CJK SC"/><w:sz w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="80"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="160" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="B3261E"/></w:rPr></w:style><w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:color="999999"/><w:left w:val="single" w:sz="4" w:color="999999"/><w:bottom w:val="single" w:sz="4" w:color="999999"/><w:right w:val="single" w:sz="4" w:color="999999"/><w:insideH w:val="single" w:sz="4" w:color="999999"/><w:insideV w:val="single" w:sz="4" w:color="999999"/></w:tblBorders></w:tblPr><w:rPr><w:sz w:val="18"/></w:rPr></w:style></w:styles>"#;
