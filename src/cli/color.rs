//! Colour on stdout for `diff`. In: the environment (`NO_COLOR`, `CLICOLOR_FORCE`) and whether
//! stdout is a terminal. Out: the decision, and the unified diff text with ANSI colours (removed
//! lines red, added green, hunk headers cyan, file and node headers bold). Plain when piped.

use std::ffi::OsStr;
use std::io::IsTerminal;

/// Whether to colour: `NO_COLOR` (non-empty) never; `CLICOLOR_FORCE` (non-empty, not `0`)
/// always, even when piped; otherwise only on a terminal.
pub(super) fn decide(no_color: Option<&OsStr>, force: Option<&OsStr>, terminal: bool) -> bool {
    let set = |v: Option<&OsStr>| v.is_some_and(|v| !v.is_empty());
    if set(no_color) {
        return false;
    }
    if set(force) && force != Some(OsStr::new("0")) {
        return true;
    }
    terminal
}

/// [`decide`] for stdout of this process.
pub(super) fn stdout_enabled() -> bool {
    decide(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR_FORCE").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

/// [`decide`] for stderr of this process.
pub(super) fn stderr_enabled() -> bool {
    decide(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR_FORCE").as_deref(),
        std::io::stderr().is_terminal(),
    )
}

const RESET: &str = "\x1b[0m";

/// Colours a diff's text line by line.
pub(super) fn paint_diff(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let style =
            if body.starts_with("--- ") || body.starts_with("+++ ") || body.starts_with("node ") {
                Some("\x1b[1m")
            } else if body.starts_with("@@") {
                Some("\x1b[36m")
            } else if body.starts_with('-') {
                Some("\x1b[31m")
            } else if body.starts_with('+') {
                Some("\x1b[32m")
            } else {
                None
            };
        match style {
            Some(s) => out.push_str(&format!("{s}{body}{RESET}{nl}")),
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_then_force_then_the_terminal() {
        let s = |v: &'static str| Some(OsStr::new(v));
        assert!(!decide(s("1"), s("1"), true));
        assert!(decide(None, s("1"), false));
        assert!(!decide(None, s("0"), false));
        assert!(
            decide(s(""), None, true),
            "an empty NO_COLOR does not count"
        );
        assert!(!decide(None, None, false));
        assert!(decide(None, None, true));
    }

    #[test]
    fn removed_added_and_headers_are_coloured() {
        let d = "node w-01 (127.0.0.1): 1 document to change\n--- live v1alpha1\n+++ rendered v1alpha1\n@@ -1,2 +1,2 @@\n   zone: a\n-    tier: work\n+    tier: batch\n";
        assert_eq!(
            paint_diff(d),
            "\x1b[1mnode w-01 (127.0.0.1): 1 document to change\x1b[0m\n\x1b[1m--- live v1alpha1\x1b[0m\n\x1b[1m+++ rendered v1alpha1\x1b[0m\n\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n   zone: a\n\x1b[31m-    tier: work\x1b[0m\n\x1b[32m+    tier: batch\x1b[0m\n"
        );
    }
}
