//! Accounts and roles (who may do what in the guideline's procedure).

use std::fmt;

use crate::{DivisionCode, Level, ParseError, ZoneKey};

/// The roles of the guideline's procedure. The anonymous public is the absence of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 科技部: everything national.
    Ministry,
    /// 地方科技主管部门: its own province and its zones.
    Province,
    /// Only the reviews assigned to them.
    Expert,
    /// Universities, institutes, enterprises, transfer institutions: their own records.
    Institution,
    /// Technology-contract registration in its locality.
    Registrar,
    /// 技术经纪人: brokers deals for clients in the technology market (bids and expressions of interest for a
    /// client anywhere); registered in the brokers' register besides.
    Broker,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Ministry, Role::Province, Role::Expert, Role::Institution, Role::Registrar, Role::Broker];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ministry => "ministry",
            Role::Province => "province",
            Role::Expert => "expert",
            Role::Institution => "institution",
            Role::Registrar => "registrar",
            Role::Broker => "broker",
        }
    }

    pub fn parse(s: &str) -> Result<Role, ParseError> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            ParseError(format!("'{s}' is not a role (ministry, province, expert, institution, registrar, broker)"))
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login name: 3-64 characters of ASCII letters, digits, `.`, `_`, `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, ParseError> {
        let ok = (3..=64).contains(&s.len())
            && s.as_bytes()[0].is_ascii_alphabetic()
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if ok {
            Ok(Username(s.to_owned()))
        } else {
            Err(ParseError(format!(
                "'{s}' is not a username (3-64 ASCII letters, digits, '.', '_' or '-', starting with a letter)"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An account. The scope fields fit the role: a province user names its province, an institution or registrar its
/// division; others none (an expert's scope is the reviews assigned to them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: Username,
    pub role: Role,
    pub province: Option<DivisionCode>,
    pub division: Option<DivisionCode>,
    pub zone: Option<ZoneKey>,
    pub disabled: bool,
}

impl Account {
    /// Checks that the scope fits the role.
    pub fn new(
        username: Username,
        role: Role,
        province: Option<DivisionCode>,
        division: Option<DivisionCode>,
        zone: Option<ZoneKey>,
    ) -> Result<Account, ParseError> {
        // A registrar serves a locality at any level: a province-level one may be named with --province.
        let (province, division) = match (role, province, division) {
            (Role::Registrar, Some(p), None) => (None, Some(p)),
            (_, p, d) => (p, d),
        };
        match role {
            Role::Province => match province {
                Some(p) if p.level() == Level::Province => {
                    // A city or county team of the province (市县基层工作队伍): scoped to its own division.
                    if let Some(d) = division
                        && (d.level() == Level::Province || !d.is_within(&p))
                    {
                        return Err(ParseError(format!(
                            "{d} is not a prefecture or county of province {p}: a city or county team works in one"
                        )));
                    }
                }
                Some(p) => return Err(ParseError(format!("{p} is not a province code (e.g. 320000)"))),
                None => return Err(ParseError("a province user needs --province, e.g. 320000".into())),
            },
            Role::Institution if division.is_none() => {
                return Err(ParseError("an institution user needs --division, its own division (e.g. 320102)".into()));
            }
            Role::Broker if division.is_none() => {
                return Err(ParseError("a broker user needs --division, where the broker works (e.g. 320500)".into()));
            }
            Role::Registrar if division.is_none() => {
                return Err(ParseError(
                    "a registrar user needs the locality it serves: --province (e.g. 320000) or --division at any \
                     level (e.g. 320100 or 320102)"
                        .into(),
                ));
            }
            _ => {}
        }
        if role != Role::Province && province.is_some() {
            return Err(ParseError(format!("only province users take --province, not {role}")));
        }
        Ok(Account { username, role, province, division, zone, disabled: false })
    }

    /// True when this account may act for `code` as the province that builds there (or nationally); a city or
    /// county team only for its own division.
    pub fn governs(&self, code: &DivisionCode) -> bool {
        match (self.role, self.local_team()) {
            (Role::Ministry, _) => true,
            (Role::Province, Some(d)) => code.is_within(&d),
            (Role::Province, None) => self.province.is_some_and(|p| code.is_within(&p)),
            _ => false,
        }
    }

    /// For a city or county team of a province (市县基层工作队伍), the division it works in: it enters that
    /// division's figures, while the province reviews and submits.
    pub fn local_team(&self) -> Option<DivisionCode> {
        if self.role == Role::Province { self.division } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registrar_serves_a_locality_named_either_way() {
        let u = Username::parse("reg-js").unwrap();
        let p = DivisionCode::parse("320000").unwrap();
        let by_province = Account::new(u.clone(), Role::Registrar, Some(p), None, None).unwrap();
        assert_eq!((by_province.province, by_province.division), (None, Some(p)));
        let city = DivisionCode::parse("320100").unwrap();
        assert_eq!(Account::new(u.clone(), Role::Registrar, None, Some(city), None).unwrap().division, Some(city));
        assert!(Account::new(u, Role::Registrar, None, None, None).is_err_and(|e| e.0.contains("--province")));
    }

    #[test]
    fn a_city_or_county_team_governs_its_own_division_only() {
        let u = Username::parse("nanjing-team").unwrap();
        let (p, nanjing) = (DivisionCode::parse("320000").unwrap(), DivisionCode::parse("320100").unwrap());
        let team = Account::new(u.clone(), Role::Province, Some(p), Some(nanjing), None).unwrap();
        assert_eq!(team.local_team(), Some(nanjing));
        assert!(team.governs(&DivisionCode::parse("320102").unwrap()));
        assert!(!team.governs(&DivisionCode::parse("320200").unwrap()), "not another city");
        assert!(!team.governs(&p), "not the province as a whole");
        let hangzhou = DivisionCode::parse("330100").unwrap();
        assert!(
            Account::new(u.clone(), Role::Province, Some(p), Some(hangzhou), None).is_err(),
            "outside its province"
        );
        assert!(Account::new(u, Role::Province, Some(p), Some(p), None).is_err(), "the province itself is no team");
    }

    #[test]
    fn scope_fits_role() {
        let u = Username::parse("jiangsu").unwrap();
        let p = DivisionCode::parse("320000").unwrap();
        let province = Account::new(u.clone(), Role::Province, Some(p), None, None).unwrap();
        assert!(province.governs(&DivisionCode::parse("320102").unwrap()));
        assert!(!province.governs(&DivisionCode::parse("330100").unwrap()));
        assert!(Account::new(u.clone(), Role::Province, None, None, None).is_err());
        assert!(
            Account::new(u.clone(), Role::Province, Some(DivisionCode::parse("320100").unwrap()), None, None).is_err()
        );
        assert!(Account::new(u.clone(), Role::Institution, None, None, None).is_err());
        assert!(Account::new(u.clone(), Role::Broker, None, None, None).is_err_and(|e| e.0.contains("--division")));
        assert_eq!(Role::parse("broker"), Ok(Role::Broker));
        assert!(Account::new(u, Role::Ministry, Some(p), None, None).is_err());
        for bad in ["ab", "1abc", "a b", "张三", &"a".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }
}
