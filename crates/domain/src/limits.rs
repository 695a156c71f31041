//! How long free text may be. Limits are checked before anything is stored, so nobody can fill the disk or make a
//! public page megabytes long through a text field; each refusal names the field.

use crate::ParseError;

/// Names, issuers, document numbers, titles, usernames.
pub const SHORT_TEXT: usize = 200;
/// Provisions, evidence, summaries, comments, reasons.
pub const LONG_TEXT: usize = 20_000;
/// The written sections of an annual report together.
pub const REPORT_TEXT: usize = 200_000;
/// A step's document of the procedure (a plan with its targets), as JSON.
pub const DOCUMENT_BYTES: usize = 512 * 1024;

/// Refuses `text` in `field` beyond `max` characters, or with a NUL character (which no database text keeps).
pub fn check_text(field: &str, text: &str, max: usize) -> Result<(), ParseError> {
    if text.contains('\0') {
        return Err(ParseError(format!("{field} contains the NUL character")));
    }
    let length = text.chars().count();
    if length > max {
        return Err(ParseError(format!("{field} has {length} characters; at most {max} are accepted")));
    }
    Ok(())
}

/// Each field must be non-blank and within `max` characters.
pub fn required(fields: &[(&str, &str, usize)]) -> Result<(), ParseError> {
    for (name, value, max) in fields {
        if value.trim().is_empty() {
            return Err(ParseError(format!("{name} is required")));
        }
        check_text(name, value, *max)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_the_field() {
        assert!(check_text("title", "标题", SHORT_TEXT).is_ok());
        let long = "字".repeat(SHORT_TEXT + 1);
        assert!(check_text("title", &long, SHORT_TEXT).is_err_and(|e| e.0.starts_with("title has 201 characters")));
        assert!(check_text("evidence", "a\0b", LONG_TEXT).is_err_and(|e| e.0.contains("NUL")));
        assert!(required(&[("issuer", " ", SHORT_TEXT)]).is_err_and(|e| e.0 == "issuer is required"));
    }
}
