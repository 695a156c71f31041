//! The documents in every format: everything the model says is in them; LibreOffice opens the Word document, reads
//! the Chinese back and draws its charts; the PDF carries the CJK font embedded and its text reads back with
//! poppler. Each check that needs an outside program (LibreOffice, poppler, the CJK font) says SKIPPED where it is
//! missing; under CI=true it must run.

use std::path::Path;
use std::process::Command;

use ttdz_app::annual::{AnnualDocument, DocumentRow, DocumentTask, NationalDocument, SummaryExperience, SummaryZone};
use ttdz_app::indicators::{IndicatorTrend, TrendPoint};
use ttdz_docs::{Format, Typesetter, render};

fn row(seq: &str, name: &str, value: &str, synthetic: bool) -> DocumentRow {
    DocumentRow {
        seq: seq.into(),
        name: name.into(),
        unit: "亿元".into(),
        value: value.into(),
        previous: "20.00".into(),
        growth: "+5.0%".into(),
        target: "30.00".into(),
        attainment: "85.3%".into(),
        attainment_ratio: Some("0.853".into()),
        source: "synthetic:contracts-sample".into(),
        synthetic,
    }
}

fn trend(code: &str, name: &str) -> IndicatorTrend {
    IndicatorTrend {
        code: code.into(),
        name_zh: name.into(),
        unit_zh: "亿元".into(),
        points: (2019..=2024)
            .map(|year| TrendPoint {
                year,
                value: (year != 2021).then(|| format!("{}", 1_000_000_000_i64 + i64::from(year - 2019) * 250_000_000)),
                synthetic: true,
            })
            .collect(),
    }
}

fn document() -> AnnualDocument {
    AnnualDocument {
        zone_key: "jiangsu-sunan".into(),
        zone_name: "江苏苏南国家科技成果转移转化示范区".into(),
        province: "江苏省".into(),
        members: vec!["南京市（320100）".into(), "苏州市（320500）".into()],
        year: 2024,
        made_on: "2026-12-01".into(),
        has_data: true,
        rows: (1..=40).map(|n| row(&n.to_string(), &format!("技术合同成交额{n}"), "25.62", n == 1)).collect(),
        featured: vec![row("16", "新型研发机构数量 | 家", "38", false)],
        tasks: vec![DocumentTask {
            title: "建设技术产权交易市场".into(),
            deadline: "2023-06-30".into(),
            status: "已完成".into(),
            evidence: "交易市场上线".into(),
        }],
        trends: vec![trend("contract_turnover", "技术合同成交额"), trend("rd_spending", "研发经费支出")],
        text: Some(
            "苏南示范区推进各项任务。\n技术转移体系进一步完善。\n引号\"、反斜杠\\、#井号与 *星号* 原样保留。".into(),
        ),
        report_status: Some("已接受"),
        submitted_at: Some("2026-12-01".into()),
        late: true,
        synthetic: true,
    }
}

/// Whether an outside program can run; if not, skipped (and said so), unless CI=true, where it must.
fn available(what: &str, present: bool) -> bool {
    if !present {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but {what} is not installed");
        eprintln!("SKIPPED: {what} is not installed");
    }
    present
}

fn typesetter() -> Option<Typesetter> {
    let typesetter = Typesetter::default();
    available("the CJK font (Debian's fonts-noto-cjk)", typesetter.ready().is_ok()).then_some(typesetter)
}

fn soffice() -> Option<&'static str> {
    let found =
        ["/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice"].into_iter().find(|p| Path::new(p).exists());
    available("LibreOffice", found.is_some()).then_some(found?)
}

/// `file` converted by LibreOffice to `to` (e.g. `txt:Text`, `pdf`) in `dir`, as `dir/<stem>.<extension>`.
/// soffice exits 0 even when it cannot load the file (as without Writer), so the output is looked for, and what
/// LibreOffice said is shown when it is missing.
fn convert(soffice: &str, dir: &Path, file: &Path, to: &str) {
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    let extension = to.split(':').next().unwrap_or(to);
    let output = dir.join(file.with_extension(extension).file_name().expect("a file name"));
    let out = Command::new(soffice)
        .args([&profile, "--headless", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .expect("soffice runs");
    assert!(out.status.success(), "LibreOffice converted {} to {to}", file.display());
    assert!(output.exists(), "LibreOffice wrote no {}: {}", output.display(), String::from_utf8_lossy(&out.stderr));
}

fn poppler(tool: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(tool).args(args).arg(file).arg("-").output().expect("poppler runs");
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_markdown_says_everything_the_model_says() {
    let md =
        String::from_utf8(render(&document(), Format::Markdown, &Typesetter::default()).expect("md")).expect("utf-8");
    assert!(md.starts_with("# 江苏苏南国家科技成果转移转化示范区 2024 年度建设情况报告"));
    assert!(md.contains("| 1 | 技术合同成交额1 | 亿元 | 25.62（合成） | 20.00 | +5.0% | 30.00 | 85.3% |"), "{md}");
    assert!(md.contains("新型研发机构数量 ／ 家"), "a pipe in a cell does not break the table");
    assert!(md.contains("建设技术产权交易市场") && md.contains("技术转移体系进一步完善"));
    assert!(md.contains("年度报告状态：已接受，报送于 2026-12-01（逾期）。"), "{md}");
    assert!(!md.contains("<svg"), "Markdown carries no charts");
}

#[test]
fn the_web_page_holds_its_charts_and_escapes_the_text() {
    let html =
        String::from_utf8(render(&document(), Format::Html, &Typesetter::default()).expect("html")).expect("utf-8");
    assert!(html.starts_with("<!doctype html>") && html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<title>江苏苏南国家科技成果转移转化示范区 2024 年度建设情况报告</title>"));
    assert_eq!(html.matches("<svg").count(), 3, "the attainment bars and two trends");
    assert!(html.contains("<thead><tr><th scope=\"col\">序号</th>"), "a header the printout repeats");
    assert!(html.contains("引号&quot;、反斜杠\\、#井号与 *星号* 原样保留"), "text is escaped, never markup");
    assert!(!html.contains("<script"), "no script, nothing fetched");
}

#[test]
fn the_word_document_opens_in_libreoffice_with_its_text_and_charts() {
    let Some(typesetter) = typesetter() else { return };
    let bytes = render(&document(), Format::Docx, &typesetter).expect("docx");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a zip package");
    let mut names: Vec<String> =
        archive.file_names().map(|n| n.map(|n| n.to_string())).collect::<Result<_, _>>().expect("names");
    names.sort();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/_rels/document.xml.rels",
            "word/document.xml",
            "word/footer1.xml",
            "word/media/image1.png",
            "word/media/image2.png",
            "word/media/image3.png",
            "word/styles.xml"
        ]
    );
    let mut body = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("document"), &mut body)
        .expect("text");
    assert!(body.contains("<w:tblHeader/>") && body.contains("技术合同成交额40"), "header rows repeat");
    let mut png = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("word/media/image1.png").expect("image"), &mut png).expect("png");
    assert!(png.starts_with(b"\x89PNG"), "the charts are pictures Word shows");

    let Some(soffice) = soffice() else { return };
    eprintln!("RAN: LibreOffice {soffice} opens the Word document");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("report.docx");
    std::fs::write(&file, &bytes).expect("written");
    convert(soffice, dir.path(), &file, "txt:Text");
    let text = std::fs::read_to_string(dir.path().join("report.txt")).expect("the text LibreOffice read");
    assert!(text.contains("江苏苏南国家科技成果转移转化示范区 2024 年度建设情况报告"), "{text}");
    assert!(text.contains("技术合同成交额40") && text.contains("技术转移体系进一步完善"), "{text}");
    // Laid out by LibreOffice as PDF, the three charts are there as pictures.
    convert(soffice, dir.path(), &file, "pdf");
    if !available("poppler-utils", Path::new("/usr/bin/pdfimages").exists()) {
        return;
    }
    let images = Command::new("pdfimages").arg("-list").arg(dir.path().join("report.pdf")).output().expect("pdfimages");
    let listed = String::from_utf8_lossy(&images.stdout);
    let pictures = listed.lines().skip(2).filter(|l| l.split_whitespace().nth(2) == Some("image")).count();
    assert_eq!(pictures, 3, "{listed}");
}

#[test]
fn the_pdf_embeds_its_cjk_font_and_reads_back() {
    let Some(typesetter) = typesetter() else { return };
    let bytes = render(&document(), Format::Pdf, &typesetter).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-"));
    if let Ok(keep) = std::env::var("TTDZ_KEEP_DOCUMENTS") {
        std::fs::write(Path::new(&keep).join("report.pdf"), &bytes).expect("kept");
    }
    if !available("poppler-utils", Path::new("/usr/bin/pdftotext").exists()) {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &bytes).expect("written");
    let text = poppler("pdftotext", &["-layout"], &file);
    // Chinese needs no spaces: lines broken by the layout join again without them.
    let joined: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(joined.contains("江苏苏南国家科技成果转移转化示范区2024年度建设情况报告"), "{text}");
    assert!(joined.contains("技术合同成交额40") && joined.contains("技术转移体系进一步完善"), "{text}");
    assert!(joined.contains("引号\"、反斜杠\\、#井号与*星号*原样保留"), "text is never markup: {text}");
    assert!(joined.contains("第2页"), "pages are numbered");
    // The header row repeats on the table's second page.
    let second_page = text.split('\u{c}').nth(1).expect("a second page");
    assert!(second_page.contains("序号") && second_page.contains("完成率"), "{second_page}");
    let fonts = Command::new("pdffonts").arg(&file).output().expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let cjk = fonts.lines().find(|l| l.contains("NotoSansCJK")).unwrap_or_else(|| panic!("a CJK font: {fonts}"));
    assert!(cjk.split_whitespace().rev().nth(3) == Some("yes"), "embedded: {cjk}");
}

#[test]
fn without_its_font_the_pdf_is_refused_by_name_and_word_keeps_its_text() {
    let missing = Typesetter::new(vec!["/nonexistent/NotoSansCJK-Regular.ttc".into()]);
    let refused = render(&document(), Format::Pdf, &missing).expect_err("no font, no PDF");
    assert!(matches!(refused, ttdz_docs::DocumentError::Unavailable(_)));
    assert!(refused.to_string().contains("/nonexistent/NotoSansCJK-Regular.ttc"), "{refused}");
    let bytes = render(&document(), Format::Docx, &missing).expect("docx without charts");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a zip package");
    let mut body = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("document"), &mut body)
        .expect("text");
    assert!(body.contains("图表未能绘制") && body.contains("技术合同成交额40"));
}

#[test]
fn the_national_summary_lists_every_zone_and_the_experience_published() {
    let zone = |rank: &str, name: &str| SummaryZone {
        rank: rank.into(),
        name: name.into(),
        score: "75.5".into(),
        relative: "140.2".into(),
        group: "领先".into(),
        attainment: "—".into(),
        synthetic: true,
    };
    let doc = NationalDocument {
        year: Some(2024),
        made_on: "2026-12-01".into(),
        zones: vec![zone("1", "浙江国家科技成果转移转化示范区"), zone("2", "江苏苏南国家科技成果转移转化示范区")],
        excluded: vec!["finance_tax_policy：only one zone has a value".into()],
        method: "等权算术平均。".into(),
        experiences: vec![SummaryExperience {
            zone: "浙江".into(),
            title: "职务科技成果赋权改革".into(),
            summary: "赋予科研人员所有权。".into(),
            published_on: "2026-06-15".into(),
        }],
        synthetic: true,
    };
    let md = String::from_utf8(render(&doc, Format::Markdown, &Typesetter::default()).expect("md")).expect("utf-8");
    assert!(md.starts_with("# 国家科技成果转化示范区 2024 年度总结"));
    assert!(md.contains("| 1 | 浙江国家科技成果转移转化示范区 | 75.5（合成） | 140.2 | 领先 | — |"), "{md}");
    assert!(md.contains("职务科技成果赋权改革") && md.contains("finance_tax_policy"));
    let html = String::from_utf8(render(&doc, Format::Html, &Typesetter::default()).expect("html")).expect("utf-8");
    assert_eq!(html.matches("<svg").count(), 1, "the scores as bars");
    let Some(typesetter) = typesetter() else { return };
    let pdf = render(&doc, Format::Pdf, &typesetter).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
}
