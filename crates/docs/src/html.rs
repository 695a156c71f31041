//! One web page holding the whole document, its charts inline and its styles inside, so it can be mailed, opened
//! without the platform and printed on A4 (the table headers repeat on every printed page, the pages numbered).

use crate::Block;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = r#"
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 14px; line-height: 1.6; color: #1d1d1d; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; text-align: center; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05rem; }
.note { color: #b3261e; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #999; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
figure { margin: 1rem 0; }
figcaption { font-size: 12px; color: #555; text-align: center; }
.charts .label { font-size: 12px; }
.charts { display: grid; gap: 0.5rem; }
.charts svg { max-width: 100%; height: auto; }
.charts svg text { font-family: inherit; }
@media print {
  main { max-width: none; padding: 0; }
  tr, figure { break-inside: avoid; }
}
@page { size: A4; margin: 2cm; @bottom-center { content: "第 " counter(page) " 页"; } }
"#;

pub fn write(title: &str, blocks: &[Block]) -> String {
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Title(text) => body.push_str(&format!("<h1>{}</h1>\n", escape(text))),
            Block::Paragraph(text) => body.push_str(&format!("<p>{}</p>\n", escape(text))),
            Block::Note(text) => body.push_str(&format!("<p class=\"note\">{}</p>\n", escape(text))),
            Block::Heading(text) => body.push_str(&format!("<h2>{}</h2>\n", escape(text))),
            Block::Subheading(text) => body.push_str(&format!("<h3>{}</h3>\n", escape(text))),
            Block::Table(table) => {
                body.push_str("<div class=\"table\"><table>\n<thead><tr>");
                for h in &table.headers {
                    body.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
                }
                body.push_str("</tr></thead>\n<tbody>\n");
                for row in &table.rows {
                    body.push_str("<tr>");
                    for c in row {
                        body.push_str(&format!("<td>{}</td>", escape(c)));
                    }
                    body.push_str("</tr>\n");
                }
                body.push_str("</tbody></table></div>\n");
            }
            Block::Figure(figure) => {
                // The charts' SVG is built from escaped text by `charts`.
                body.push_str(&format!(
                    "<figure><div class=\"charts\" style=\"grid-template-columns: repeat({}, minmax(0, 1fr))\">",
                    figure.columns.max(1)
                ));
                for chart in &figure.charts {
                    body.push_str("<div>");
                    if !chart.label.is_empty() {
                        body.push_str(&format!("<div class=\"label\">{}</div>", escape(&chart.label)));
                    }
                    body.push_str(&chart.svg);
                    body.push_str("</div>");
                }
                body.push_str(&format!("</div><figcaption>{}</figcaption></figure>\n", escape(&figure.caption)));
            }
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}
