//! Durations given on the command line. In: text such as `500ms`, `30s`, `2m30s` or `1h15m`
//! (the forms talosctl and Go's `time.ParseDuration` accept; a bare number means seconds). Out: a
//! [`Duration`] no longer than [`MAX`], or a [`DurationError`] saying what is wrong. Every duration
//! flag of `machinist` and `machinist-sim` goes through [`parse`], so they all accept the same
//! forms and none can overflow.

use std::time::Duration;

/// The longest duration any flag accepts: 7 days. Long enough for any timeout or delay a
/// rollout needs; short enough that deadline arithmetic (`now + d`) can never overflow.
pub const MAX: Duration = Duration::from_secs(7 * 24 * 3600);

/// A duration that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not of the form NUMBER UNIT [NUMBER UNIT]....
    #[error("`{text}` is not a duration: {reason} (write e.g. 500ms, 30s, 2m30s or 1h)")]
    Syntax {
        /// What was given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Longer than [`MAX`].
    #[error("`{0}` is longer than the longest duration accepted, 168h (7 days)")]
    TooLong(String),
}

const UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses a duration: one or more `NUMBER UNIT` parts (`ns`, `us`, `ms`, `s`, `m`, `h`; the number
/// may have a fraction), or a bare number of seconds. At most [`MAX`].
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let syntax = |reason: &str| DurationError::Syntax {
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    let s = text.trim();
    if s.is_empty() {
        return Err(syntax("it is empty"));
    }
    if s.starts_with('-') {
        return Err(syntax("it is negative"));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let max = MAX.as_nanos();
    let too_long = || DurationError::TooLong(text.to_owned());
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(syntax("expected a number"));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale = if unit.is_empty() {
            if rest.len() != s.len() || !after.is_empty() {
                return Err(syntax("every number needs a unit"));
            }
            1_000_000_000
        } else {
            UNITS
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, n)| *n)
                .ok_or_else(|| {
                    syntax(&format!(
                        "unknown unit `{unit}` (use ns, us, ms, s, m or h)"
                    ))
                })?
        };
        // Integer part: any digits past what fits are already too long.
        let whole: u128 = if int.is_empty() {
            0
        } else if int.trim_start_matches('0').len() > 20 {
            return Err(too_long());
        } else {
            int.parse().map_err(|_| too_long())?
        };
        let mut part = whole.checked_mul(scale).ok_or_else(too_long)?;
        // Fraction: only digits that still matter at nanosecond precision count.
        let mut unit_frac = scale;
        for d in frac.bytes().take(20) {
            unit_frac /= 10;
            part += u128::from(d - b'0') * unit_frac;
        }
        total = total.checked_add(part).ok_or_else(too_long)?;
        if total > max {
            return Err(too_long());
        }
        rest = after;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| too_long())?;
    Ok(Duration::new(secs, (total % 1_000_000_000) as u32))
}

/// Writes a duration the way [`parse`] reads it back, rounded to milliseconds: `1.3s`, `20s`,
/// `2m30s`, `300ms`. For messages such as "not ready within 20s".
pub fn display(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || frac > 0 {
        if frac == 0 {
            out.push_str(&format!("{s}s"));
        } else {
            let f = format!("{frac:03}");
            out.push_str(&format!("{s}.{}s", f.trim_end_matches('0')));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Duration {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn single_and_compound_forms() {
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("30s"), Duration::from_secs(30));
        assert_eq!(ok("2m30s"), Duration::from_secs(150));
        assert_eq!(ok("1h15m"), Duration::from_secs(4500));
        assert_eq!(ok("1.5s"), Duration::from_millis(1500));
        assert_eq!(ok(".5m"), Duration::from_secs(30));
        assert_eq!(ok("2"), Duration::from_secs(2), "a bare number is seconds");
        assert_eq!(ok("1h0m0.25s"), Duration::from_millis(3_600_250));
        assert_eq!(ok("250us"), Duration::from_micros(250));
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("168h"), MAX);
    }

    #[test]
    fn huge_values_are_errors_not_panics() {
        for s in [
            "99999999999999999999h",
            "18446744073709551616s",
            "168h1ns",
            "9999999999999999999999999999999999999999ms",
            "100000000h",
            "1e400s",
        ] {
            let err = parse(s).unwrap_err();
            assert!(
                matches!(
                    err,
                    DurationError::TooLong(_) | DurationError::Syntax { .. }
                ),
                "{s}: {err}"
            );
        }
        assert_eq!(
            parse("99999999999999999999h").unwrap_err().to_string(),
            "`99999999999999999999h` is longer than the longest duration accepted, 168h (7 days)"
        );
    }

    #[test]
    fn malformed_values_say_why() {
        let msg = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("5x"),
            "`5x` is not a duration: unknown unit `x` (use ns, us, ms, s, m or h) (write e.g. 500ms, 30s, 2m30s or 1h)"
        );
        assert!(msg("-5s").contains("negative"));
        assert!(msg("").contains("empty"));
        assert!(msg("2m30").contains("every number needs a unit"));
        assert!(msg("m").contains("expected a number"));
        assert!(msg("1..5s").contains("needs a unit"));
    }

    #[test]
    fn display_reads_back() {
        for (d, s) in [
            (Duration::from_millis(300), "300ms"),
            (Duration::from_secs(20), "20s"),
            (Duration::from_millis(1300), "1.3s"),
            (Duration::from_secs(150), "2m30s"),
            (Duration::from_secs(3600), "1h"),
        ] {
            assert_eq!(display(d), s);
            assert_eq!(parse(s).unwrap(), d);
        }
    }
}
