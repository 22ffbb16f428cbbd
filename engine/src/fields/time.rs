//! Timestamp rendering for `evt.time`, `evt.datetime`, `evt.time.iso8601`.

use std::sync::OnceLock;

/// The local zone's offset from UTC in seconds, taken once (libsinsp also
/// takes the offset of "now", not of each event's time).
pub fn local_offset() -> i64 {
    static OFF: OnceLock<i64> = OnceLock::new();
    *OFF.get_or_init(crate::fields::tz::utc_offset_now)
}

/// (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `HH:MM:SS[.nnnnnnnnn]`, with `YYYY-MM-DD ` before it when `date`,
/// in the zone `offset` seconds east of UTC.
pub fn write_ts<W: std::fmt::Write>(out: &mut W, ts: u64, offset: i64, date: bool, ns: bool) {
    let secs = (ts / 1_000_000_000) as i64 + offset;
    let nsec = ts % 1_000_000_000;
    let s = secs.rem_euclid(86_400);
    if date {
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let _ = write!(out, "{y:04}-{m:02}-{d:02} ");
    }
    let _ = write!(out, "{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60);
    if ns {
        let _ = write!(out, ".{nsec:09}");
    }
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (UTC).
pub fn write_iso8601<W: std::fmt::Write>(out: &mut W, ts: u64) {
    let secs = (ts / 1_000_000_000) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}+0000",
        s / 3600,
        (s % 3600) / 60,
        s % 60,
        ts % 1_000_000_000
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2016-08-04 16:17:57.881730713 UTC
        let ts = 1_470_327_477_881_730_713;
        let mut s = String::new();
        write_ts(&mut s, ts, 0, true, true);
        assert_eq!(s, "2016-08-04 16:17:57.881730713");
        s.clear();
        write_ts(&mut s, ts, 3600, false, false);
        assert_eq!(s, "17:17:57");
        s.clear();
        write_iso8601(&mut s, ts);
        assert_eq!(s, "2016-08-04T16:17:57.881730713+0000");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
