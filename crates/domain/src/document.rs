//! Documents attached to the procedure and the reports: what each kind is and who files it, and the file formats
//! accepted, recognised by their content.

use crate::ParseError;
use crate::account::Role;

/// What a document is, in the guideline's procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// 省级人民政府同意函: the provincial government's consent to the demand.
    ConsentLetter,
    /// 报送函: the letter sending the plan to the ministry.
    SubmissionLetter,
    /// 建设方案: the plan as a document.
    Plan,
    /// 科技部批复: the ministry's approval, with its number.
    Approval,
    /// 年度报告（盖章版）: the signed annual report of one year.
    SignedReport,
    /// 佐证材料: evidence for a year's figures or a policy's implementation.
    Evidence,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::ConsentLetter,
        DocumentKind::SubmissionLetter,
        DocumentKind::Plan,
        DocumentKind::Approval,
        DocumentKind::SignedReport,
        DocumentKind::Evidence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ConsentLetter => "consent_letter",
            DocumentKind::SubmissionLetter => "submission_letter",
            DocumentKind::Plan => "plan",
            DocumentKind::Approval => "approval",
            DocumentKind::SignedReport => "signed_report",
            DocumentKind::Evidence => "evidence",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DocumentKind::ConsentLetter => "省级人民政府同意函",
            DocumentKind::SubmissionLetter => "报送函",
            DocumentKind::Plan => "建设方案",
            DocumentKind::Approval => "科技部批复",
            DocumentKind::SignedReport => "年度报告（盖章版）",
            DocumentKind::Evidence => "佐证材料",
        }
    }

    pub fn parse(s: &str) -> Result<DocumentKind, ParseError> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseError(format!("'{s}' is not a kind of document")))
    }

    /// Who files it: the ministry its approval, the province everything else.
    pub fn filed_by(self) -> Role {
        match self {
            DocumentKind::Approval => Role::Ministry,
            _ => Role::Province,
        }
    }

    /// Whether it belongs to one year's report (and so needs the year) rather than to the procedure.
    pub fn of_a_year(self) -> bool {
        matches!(self, DocumentKind::SignedReport | DocumentKind::Evidence)
    }
}

/// A file format TTDZ keeps documents in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Pdf,
    Docx,
    Xlsx,
    Png,
    Jpeg,
}

impl FileFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            FileFormat::Pdf => "application/pdf",
            FileFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Png => "image/png",
            FileFormat::Jpeg => "image/jpeg",
        }
    }

    /// The file name endings a file of this format may have.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileFormat::Pdf => &["pdf"],
            FileFormat::Docx => &["docx"],
            FileFormat::Xlsx => &["xlsx"],
            FileFormat::Png => &["png"],
            FileFormat::Jpeg => &["jpg", "jpeg"],
        }
    }

    /// The format a file's first bytes announce; a zip container (Word and Excel) still has to be opened to tell
    /// which, so it answers `None` with `zip` true.
    pub fn from_magic(bytes: &[u8]) -> (Option<FileFormat>, bool) {
        if bytes.starts_with(b"%PDF-") {
            (Some(FileFormat::Pdf), false)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            (Some(FileFormat::Png), false)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            (Some(FileFormat::Jpeg), false)
        } else {
            (None, bytes.starts_with(b"PK\x03\x04"))
        }
    }

    /// Whether `file_name` ends as a file of this format does (case aside).
    pub fn named_as(self, file_name: &str) -> bool {
        let ending = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        self.extensions().contains(&ending.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_first_bytes_and_names_must_agree() {
        assert_eq!(FileFormat::from_magic(b"%PDF-1.7\n"), (Some(FileFormat::Pdf), false));
        assert_eq!(FileFormat::from_magic(&[0xFF, 0xD8, 0xFF, 0xE0]), (Some(FileFormat::Jpeg), false));
        assert_eq!(FileFormat::from_magic(b"PK\x03\x04rest"), (None, true));
        assert_eq!(FileFormat::from_magic(b"plain text"), (None, false));
        assert!(FileFormat::Jpeg.named_as("scan.JPG"));
        assert!(!FileFormat::Pdf.named_as("批复.docx"));
        assert!(!FileFormat::Pdf.named_as("no-ending"));
    }

    #[test]
    fn every_kind_parses_back_and_the_ministry_files_only_its_approval() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.as_str()), Ok(kind));
        }
        assert_eq!(DocumentKind::Approval.filed_by(), Role::Ministry);
        assert_eq!(DocumentKind::ConsentLetter.filed_by(), Role::Province);
        assert!(DocumentKind::parse("invoice").is_err());
    }
}
