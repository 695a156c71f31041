//! What time it is, and in which time zone the calendar is read.
//!
//! Deadlines of the guideline are calendar days in China (每年12月底以前): a report submitted at 2027-01-01 00:30
//! Beijing time is late although it is still 31 December in UTC. Every "today" and "this year" therefore comes from a
//! [`Clock`], which the deployment configures (zone) and tests fix (instant), so that no behaviour depends on the day
//! the tests happen to run.

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::ParseError;

/// The time zone deadlines are judged in unless configured otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// A source of the current instant, with the time zone its calendar is read in.
#[derive(Clone)]
pub struct Clock {
    source: Source,
    zone: TimeZone,
    zone_name: String,
}

#[derive(Clone)]
enum Source {
    System,
    Fixed(Timestamp),
    Function(Arc<dyn Fn() -> Timestamp + Send + Sync>),
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::System => "system".to_owned(),
            Source::Fixed(t) => format!("fixed at {t}"),
            Source::Function(_) => "function".to_owned(),
        };
        f.debug_struct("Clock").field("source", &source).field("zone", &self.zone_name).finish()
    }
}

/// The IANA name of a time zone, e.g. `Asia/Shanghai`, checked against the compiled-in database.
pub fn time_zone(name: &str) -> Result<TimeZone, ParseError> {
    TimeZone::get(name).map_err(|_| ParseError(format!("'{name}' is not a time zone (e.g. {DEFAULT_TIME_ZONE})")))
}

impl Default for Clock {
    /// The system clock in China Standard Time.
    fn default() -> Clock {
        // The zone is in the compiled-in database; UTC+8 (China has kept no summer time since 1991) is only the
        // fallback should it ever be missing.
        let zone = time_zone(DEFAULT_TIME_ZONE).unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)));
        Clock { source: Source::System, zone, zone_name: DEFAULT_TIME_ZONE.to_owned() }
    }
}

impl Clock {
    /// The system clock, read in the named zone.
    pub fn system(zone: &str) -> Result<Clock, ParseError> {
        Ok(Clock { source: Source::System, zone: time_zone(zone)?, zone_name: zone.to_owned() })
    }

    /// Always the same instant: for tests and reproducible runs.
    pub fn fixed(at: Timestamp, zone: &str) -> Result<Clock, ParseError> {
        Ok(Clock { source: Source::Fixed(at), zone: time_zone(zone)?, zone_name: zone.to_owned() })
    }

    /// Whatever `now` answers: for tests that move time forward.
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static, zone: &str) -> Result<Clock, ParseError> {
        Ok(Clock { source: Source::Function(Arc::new(now)), zone: time_zone(zone)?, zone_name: zone.to_owned() })
    }

    pub fn now(&self) -> Timestamp {
        match &self.source {
            Source::System => Timestamp::now(),
            Source::Fixed(t) => *t,
            Source::Function(f) => f(),
        }
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.now().as_second()
    }

    /// The calendar day it is now in the clock's zone.
    pub fn today(&self) -> Date {
        self.zone.to_datetime(self.now()).date()
    }

    /// `today` as ISO 8601 (`2026-12-31`).
    pub fn today_iso(&self) -> String {
        self.today().to_string()
    }

    pub fn year(&self) -> i32 {
        i32::from(self.today().year())
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_read_in_china_not_in_utc() {
        let at: Timestamp = "2026-12-31T16:30:00Z".parse().expect("instant");
        let beijing = Clock::fixed(at, DEFAULT_TIME_ZONE).expect("zone");
        assert_eq!(beijing.today_iso(), "2027-01-01", "00:30 on 1 January in Beijing");
        assert_eq!(beijing.year(), 2027);
        assert_eq!(Clock::fixed(at, "UTC").expect("zone").today_iso(), "2026-12-31");
        assert!(Clock::system("Mars/Olympus").is_err());
    }
}
