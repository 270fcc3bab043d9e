//! Calendar arithmetic on the language's dates: days between two dates,
//! the day after, a date from text (`--today 2027-03-01`) and today's date
//! (UTC) from the system clock. Proleptic Gregorian, no time zones.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::syntax::ast::Date;

impl Date {
    /// Days since 1970-01-01 (negative before it).
    pub fn day_number(self) -> i64 {
        // Howard Hinnant's days-from-civil, with March as the first month
        // so that the leap day ends the year.
        let (year, month, day) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` days after 1970-01-01 (the inverse of
    /// [`Date::day_number`]); `None` before year 0.
    pub fn from_day_number(days: i64) -> Option<Date> {
        let days = days + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Some(Date {
            year: u32::try_from(year).ok()?,
            month: u32::try_from(month).ok()?,
            day: u32::try_from(day).ok()?,
        })
    }

    /// Days from `self` to `later` (negative when `later` comes first).
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    /// The next day.
    pub fn next_day(self) -> Date {
        Date::from_day_number(self.day_number() + 1).unwrap_or(self)
    }

    /// A date written `YYYY-MM-DD` that exists, or `None`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let mut part = |digits: usize| {
            parts
                .next()
                .filter(|part| part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|part| part.parse::<u32>().ok())
        };
        let date = Date {
            year: part(4)?,
            month: part(2)?,
            day: part(2)?,
        };
        (parts.next().is_none() && date.is_valid()).then_some(date)
    }

    /// Today's date in UTC, from the system clock.
    pub fn today() -> Date {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or(0);
        Date::from_day_number(days).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn day_numbers_count_from_1970() {
        assert_eq!(date("1970-01-01").day_number(), 0);
        assert_eq!(date("1970-01-02").day_number(), 1);
        assert_eq!(date("1969-12-31").day_number(), -1);
        assert_eq!(date("2000-03-01").day_number(), 11_017);
    }

    #[test]
    fn day_numbers_round_trip_across_leap_days() {
        let start = date("1999-12-01").day_number();
        for day in start..start + 3000 {
            let back = Date::from_day_number(day).unwrap();
            assert!(back.is_valid(), "{back}");
            assert_eq!(back.day_number(), day);
        }
        assert_eq!(date("2028-02-28").next_day(), date("2028-02-29"));
        assert_eq!(date("2027-02-28").next_day(), date("2027-03-01"));
        assert_eq!(date("2026-12-31").next_day(), date("2027-01-01"));
    }

    #[test]
    fn days_until_is_signed() {
        assert_eq!(date("2027-03-01").days_until(date("2027-03-14")), 13);
        assert_eq!(date("2027-03-14").days_until(date("2027-03-01")), -13);
    }

    #[test]
    fn only_existing_dates_parse() {
        assert_eq!(date("2027-03-14").to_string(), "2027-03-14");
        for bad in [
            "2027-02-30",
            "2027-3-14",
            "27-03-14",
            "2027-03-14x",
            "",
            "2027-13-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }
}
