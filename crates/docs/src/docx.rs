//! Word (.docx), Office Open XML written directly: A4, a CJK font, the table header repeated on every page, page
//! numbers in the footer, and the charts as pictures (PNG drawn by the typesetter at twice their size).

use std::io::Write;

use crate::{Block, DocumentError, Typesetter};

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn paragraph(text: &str, style: Option<&str>) -> String {
    let style = style.map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)).unwrap_or_default();
    format!(r#"<w:p>{style}<w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#, xml(text))
}

/// English Metric Units to the centimetre.
const EMU_PER_CM: f64 = 360_000.0;

/// A picture in its own paragraph: image `n` of the package, `width` by `height` EMU.
fn picture(n: usize, title: &str, width: f64, height: f64) -> String {
    let (cx, cy) = (width.round() as i64, height.round() as i64);
    let title = xml(title);
    format!(
        r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="chart{n}" descr="{title}"/><a:graphic xmlns:a="{A}"><a:graphicData uri="{PIC}"><pic:pic xmlns:pic="{PIC}"><pic:nvPicPr><pic:cNvPr id="{n}" name="chart{n}.png" descr="{title}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rImage{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    )
}

/// The width of the text on the page (A4, 2.54 cm margins), in twentieths of a point.
const TEXT_WIDTH_TWIPS: u32 = 9026;

fn table(t: &crate::Table) -> String {
    let total: u32 = t.widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
    let widths: Vec<u32> = t.widths.iter().map(|w| TEXT_WIDTH_TWIPS * u32::from(*w) / total).collect();
    let cell = |text: &str, width: Option<&u32>, bold: bool| {
        let run = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
        let width = width.map(|w| format!(r#"<w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>"#)).unwrap_or_default();
        format!(r#"<w:tc>{width}<w:p><w:r>{run}<w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#, xml(text))
    };
    let mut out = String::from(
        r#"<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
    );
    for w in &widths {
        out.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    out.push_str("</w:tblGrid>");
    // The header row repeats on every page the table runs over.
    out.push_str(r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#);
    for (i, h) in t.headers.iter().enumerate() {
        out.push_str(&cell(h, widths.get(i), true));
    }
    out.push_str("</w:tr>");
    for row in &t.rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (i, c) in row.iter().enumerate() {
            out.push_str(&cell(c, widths.get(i), false));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// The blocks as a Word document. A chart the typesetter cannot draw (its fonts missing) leaves a note in its place
/// rather than failing the document.
pub fn write(blocks: &[Block], typesetter: &Typesetter) -> Result<Vec<u8>, DocumentError> {
    let mut body = String::new();
    let mut images: Vec<Vec<u8>> = Vec::new();
    for block in blocks {
        match block {
            Block::Title(text) => body.push_str(&paragraph(text, Some("Title"))),
            Block::Paragraph(text) => body.push_str(&paragraph(text, None)),
            Block::Note(text) => body.push_str(&paragraph(text, Some("Note"))),
            Block::Heading(text) => body.push_str(&paragraph(text, Some("Heading1"))),
            Block::Subheading(text) => body.push_str(&paragraph(text, Some("Heading2"))),
            Block::Table(t) => body.push_str(&table(t)),
            Block::Figure(figure) => {
                let columns = figure.columns.max(1);
                let mut pictures = Vec::new();
                for chart in &figure.charts {
                    let (width, height) = figure.printed_size(chart);
                    match typesetter.png(&chart.svg, 2.0) {
                        Ok(png) => {
                            images.push(png);
                            let label = if chart.label.is_empty() {
                                String::new()
                            } else {
                                paragraph(&chart.label, Some("Caption"))
                            };
                            let title = if chart.label.is_empty() { &figure.caption } else { &chart.label };
                            pictures.push(format!(
                                "{label}{}",
                                picture(images.len(), title, width * EMU_PER_CM, height * EMU_PER_CM)
                            ));
                        }
                        Err(e) => {
                            body.push_str(&paragraph(&format!("（图表未能绘制：{e}）"), Some("Note")));
                            break;
                        }
                    }
                }
                if pictures.is_empty() {
                    continue;
                }
                if columns == 1 {
                    pictures.iter().for_each(|p| body.push_str(p));
                } else {
                    // Side by side: a table without borders, one picture per cell.
                    body.push_str(
                        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr>"#,
                    );
                    for row in pictures.chunks(columns) {
                        body.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
                        for p in row {
                            body.push_str(&format!("<w:tc>{p}</w:tc>"));
                        }
                        for _ in row.len()..columns {
                            body.push_str("<w:tc><w:p/></w:tc>");
                        }
                        body.push_str("</w:tr>");
                    }
                    body.push_str("</w:tbl>");
                }
                body.push_str(&paragraph(&figure.caption, Some("Caption")));
            }
        }
    }
    package(body, &images)
}

/// A Word package around `body` (paragraphs and tables) and its `images`: A4, 2.54 cm margins, the footer with the
/// page number.
fn package(mut body: String, images: &[Vec<u8>]) -> Result<Vec<u8>, DocumentError> {
    body.push_str(
        r#"<w:sectPr><w:footerReference w:type="default" r:id="rFooter"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>"#,
    );
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{R}" xmlns:wp="{WP}"><w:body>{body}</w:body></w:document>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let fail = |e: &dyn std::fmt::Display| DocumentError::Write(e.to_string());
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("word/_rels/document.xml.rels".into(), document_rels(images.len()).into_bytes()),
        ("word/styles.xml".into(), STYLES.into()),
        ("word/footer1.xml".into(), FOOTER.into()),
        ("word/document.xml".into(), document.into_bytes()),
    ];
    parts.extend(images.iter().enumerate().map(|(i, png)| (format!("word/media/image{}.png", i + 1), png.clone())));
    for (name, content) in parts {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(&content).map_err(|e| fail(&e))?;
    }
    zip.finish().map_err(|e| fail(&e))?;
    Ok(out.into_inner())
}

const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rDocument" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// The relationships of the document part: styles, footer, and one per image (`rImage1`, ... to `media/image1.png`).
fn document_rels(images: usize) -> String {
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>"#,
    );
    for n in 1..=images {
        rels.push_str(&format!(
            r#"<Relationship Id="rImage{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{n}.png"/>"#
        ));
    }
    rels.push_str("</Relationships>");
    rels
}

const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">第 </w:t></w:r><w:fldSimple w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> 页</w:t></w:r></w:p></w:ftr>"#;

/// A CJK font for Chinese text (Noto Sans CJK SC where installed; Word falls back to SimSun), headings, the note
/// style and a grid table style.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Noto Sans CJK SC" w:hAnsi="Noto Sans CJK SC" w:eastAsia="Noto Sans CJK SC" w:cs="Noto Sans CJK SC"/><w:sz w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="80"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="160" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="200"/></w:pPr><w:rPr><w:color w:val="555555"/><w:sz w:val="18"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="B3261E"/></w:rPr></w:style><w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:color="999999"/><w:left w:val="single" w:sz="4" w:color="999999"/><w:bottom w:val="single" w:sz="4" w:color="999999"/><w:right w:val="single" w:sz="4" w:color="999999"/><w:insideH w:val="single" w:sz="4" w:color="999999"/><w:insideV w:val="single" w:sz="4" w:color="999999"/></w:tblBorders></w:tblPr><w:rPr><w:sz w:val="18"/></w:rPr></w:style></w:styles>"#;
