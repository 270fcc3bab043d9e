//! The schedule as an iCalendar file (RFC 5545): one all-day event per
//! deliverable with a due date, for a calendar to subscribe to or import.
//!
//! Lines end in CRLF and are folded at 75 octets (never inside a UTF-8
//! character); text values are escaped. Everything in the file comes from
//! the recipe and the day asked about (`DTSTAMP` is that day at midnight
//! UTC), so the same schedule on the same day gives the same bytes, and a
//! deliverable keeps its `UID` from one export to the next (a calendar
//! updates the event rather than adding another).

use crate::{report::schedule::Row, syntax::ast::Date};

/// The calendar of `rows` for the project titled `title`, as of `today`.
pub fn to_ics(title: &str, rows: &[Row], today: Date) -> String {
    let project = blake3::hash(title.as_bytes()).to_hex();
    let project = &project.as_str()[..12];
    let stamp = format!("{}T000000Z", compact(today));
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//sndtrk//sndtrk schedule//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape(&format!("{title} deliveries"))),
    ];
    for row in rows {
        let Some(due) = row.due else {
            continue;
        };
        let kind = row.kind.as_str();
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{kind}-{}-{project}@sndtrk", row.deliverable),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", compact(due)),
            format!("DTEND;VALUE=DATE:{}", compact(due.next_day())),
            format!(
                "SUMMARY:{}",
                escape(&format!("{title}: {kind} {} due", row.deliverable))
            ),
            format!(
                "DESCRIPTION:{}",
                escape(&format!(
                    "{kind} {} of {title}, due {due}; status on {today}: {}",
                    row.deliverable,
                    row.status.as_str()
                ))
            ),
            "TRANSP:TRANSPARENT".to_owned(),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut text = String::new();
    for line in lines {
        text.push_str(&fold(&line));
    }
    text
}

/// `YYYYMMDD`.
fn compact(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year, date.month, date.day)
}

/// A TEXT value with `\`, `;`, `,` and line breaks escaped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// One content line, folded: at most 75 octets per physical line (a
/// continuation starts with a space, which counts), each ending in CRLF.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for character in line.chars() {
        let octets = character.len_utf8();
        if width + octets > 75 {
            folded.push_str("\r\n ");
            width = 1;
        }
        folded.push(character);
        width += octets;
    }
    folded.push_str("\r\n");
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::schedule::{Kind, Status};

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn one_all_day_event_per_due_date() {
        let rows = [
            Row {
                deliverable: "stereo".into(),
                kind: Kind::Target,
                due: Some(date("2027-02-28")),
                days_left: Some(3),
                status: Status::Ready,
            },
            Row {
                deliverable: "pm".into(),
                kind: Kind::Target,
                due: None,
                days_left: None,
                status: Status::Stale,
            },
        ];
        let ics = to_ics("Night, Harbor; \"2\"", &rows, date("2027-02-25"));
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
        assert!(ics.contains("\r\nDTSTART;VALUE=DATE:20270228\r\n"));
        assert!(ics.contains("\r\nDTEND;VALUE=DATE:20270301\r\n"));
        assert!(ics.contains("\r\nDTSTAMP:20270225T000000Z\r\n"));
        assert!(ics.contains("SUMMARY:Night\\, Harbor\\; \"2\": target stereo due\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
            assert!(!line.contains('\n'));
        }
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&line);
        let parts: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n ").collect();
        assert!(parts.len() > 1);
        assert!(folded.split("\r\n").all(|part| part.len() <= 75));
        assert_eq!(parts.concat(), line);
    }
}
