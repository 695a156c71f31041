//! The annual report as Markdown and as a Word document: everything the model says is in them, and LibreOffice
//! opens the Word document and reads the Chinese back (skipped, and said so, where LibreOffice is not installed;
//! under CI=true it must run).

use std::path::Path;

use ttdz_app::annual::{AnnualDocument, DocumentRow, DocumentTask};

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
        source: "synthetic:contracts-sample".into(),
        synthetic,
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
        text: Some("苏南示范区推进各项任务。\n技术转移体系进一步完善。".into()),
        report_status: Some("已接受"),
        submitted_at: Some("2026-12-01".into()),
        late: true,
        synthetic: true,
    }
}

#[test]
fn the_markdown_says_everything_the_model_says() {
    let md = ttdz_docs::markdown(&document());
    assert!(md.starts_with("# 江苏苏南国家科技成果转移转化示范区 2024 年度建设情况报告"));
    assert!(md.contains("| 1 | 技术合同成交额1 | 亿元 | 25.62（合成） | 20.00 | +5.0% | 30.00 | 85.3% |"), "{md}");
    assert!(md.contains("新型研发机构数量 ／ 家"), "a pipe in a cell does not break the table");
    assert!(md.contains("建设技术产权交易市场") && md.contains("技术转移体系进一步完善"));
    assert!(md.contains("年度报告状态：已接受，报送于 2026-12-01（逾期）。"), "{md}");
}

#[test]
fn the_word_document_is_a_package_word_and_libreoffice_read() {
    let bytes = ttdz_docs::docx(&document()).expect("docx");
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
            "word/styles.xml"
        ]
    );
    let mut body = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("document"), &mut body)
        .expect("text");
    assert!(body.contains("<w:tblHeader/>") && body.contains("技术合同成交额40"), "header rows repeat");

    let soffice =
        ["/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice"].into_iter().find(|p| Path::new(p).exists());
    let Some(soffice) = soffice else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but LibreOffice is not installed");
        eprintln!("SKIPPED: LibreOffice is not installed, so the Word document was not opened");
        return;
    };
    eprintln!("RAN: LibreOffice {soffice} opens the Word document");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("report.docx");
    std::fs::write(&file, &bytes).expect("written");
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let status = std::process::Command::new(soffice)
        .args([&profile, "--headless", "--convert-to", "txt:Text", "--outdir"])
        .arg(dir.path())
        .arg(&file)
        .status()
        .expect("soffice runs");
    assert!(status.success(), "LibreOffice converted it");
    let text = std::fs::read_to_string(dir.path().join("report.txt")).expect("the text LibreOffice read");
    assert!(text.contains("江苏苏南国家科技成果转移转化示范区 2024 年度建设情况报告"), "{text}");
    assert!(text.contains("技术合同成交额40") && text.contains("技术转移体系进一步完善"), "{text}");
}

#[test]
fn the_national_summary_lists_every_zone_and_the_experience_published() {
    use ttdz_app::annual::{NationalDocument, SummaryExperience, SummaryZone};
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
    let md = ttdz_docs::national_markdown(&doc);
    assert!(md.starts_with("# 国家科技成果转化示范区 2024 年度总结"));
    assert!(md.contains("| 1 | 浙江国家科技成果转移转化示范区 | 75.5（合成） | 140.2 | 领先 | — |"), "{md}");
    assert!(md.contains("职务科技成果赋权改革") && md.contains("finance_tax_policy"));
    let bytes = ttdz_docs::national_docx(&doc).expect("docx");
    assert!(bytes.starts_with(b"PK"));
}
