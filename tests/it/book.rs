//! Every `$ machinist ...` line in the book and the README runs, from the repository root, and
//! exits 0 (or the status a trailing `# exit N` names). Commands that need a running node are
//! written without `$` and are covered by the integration tests their page names.

use crate::common;

use common::{machinist, repo, transcript};

fn commands() -> Vec<(String, String)> {
    let mut files = vec![repo().join("README.md")];
    for e in std::fs::read_dir(repo().join("book/src")).unwrap() {
        files.push(e.unwrap().path());
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines() {
            if let Some(cmd) = line.trim().strip_prefix("$ machinist ") {
                out.push((
                    f.file_name().unwrap().to_string_lossy().into_owned(),
                    cmd.to_string(),
                ));
            }
        }
    }
    out
}

/// Splits a command line like a shell would for simple quoting ('...' and "...").
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[test]
fn every_documented_command_runs() {
    let cmds = commands();
    assert!(cmds.len() >= 5, "the book shows commands: {cmds:?}");
    for (file, cmd) in cmds {
        let (cmd, want) = match cmd.split_once("# exit ") {
            Some((c, code)) => (c.trim().to_string(), code.trim().parse::<i32>().unwrap()),
            None => (cmd.clone(), 0),
        };
        let args = split(&cmd);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = machinist(&repo(), &args);
        assert_eq!(
            run.code,
            want,
            "{file}: `machinist {cmd}`\n{}",
            transcript(&run)
        );
    }
}

#[test]
fn splitting_follows_shell_quotes() {
    assert_eq!(split(r#"a 'b c' "d""#), ["a", "b c", "d"]);
}

/// The long flags of `machinist <cmd>` (from its `--help`), help and version aside.
fn long_flags(cmd: &[&str]) -> Vec<String> {
    let mut args = cmd.to_vec();
    args.push("--help");
    let help = machinist(&repo(), &args).stdout;
    let mut out = Vec::new();
    for line in help.lines() {
        let t = line.trim_start();
        let t = t
            .split_once(", ")
            .map_or(t, |(short, rest)| if short.len() == 2 { rest } else { t });
        if let Some(flag) = t.strip_prefix("--") {
            let name: String = flag
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-')
                .collect();
            if !["help", "version"].contains(&name.as_str()) && line.starts_with("  ") {
                out.push(format!("--{name}"));
            }
        }
    }
    out.dedup();
    out
}

/// The subcommands listed by `machinist <cmd> --help`.
fn subcommands(cmd: &[&str]) -> Vec<String> {
    let mut args = cmd.to_vec();
    args.push("--help");
    let help = machinist(&repo(), &args).stdout;
    let Some((_, rest)) = help.split_once("\nCommands:\n") else {
        return Vec::new();
    };
    rest.lines()
        .take_while(|l| !l.trim().is_empty())
        // Continuation lines of a wrapped description are indented further.
        .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn the_commands_page_lists_every_command_flag_and_exit_code() {
    let page = std::fs::read_to_string(repo().join("book/src/commands.md")).unwrap();
    let values = ["--values", "--set", "--set-string", "--set-json", "--patch"];
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let mut checked = 0;
    while let Some(cmd) = todo.pop() {
        let c: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let subs = subcommands(&c);
        if !subs.is_empty() {
            for s in subs {
                let mut next = cmd.clone();
                next.push(s);
                todo.push(next);
            }
            continue;
        }
        let title = format!("### machinist {}", cmd.join(" "));
        let start = page
            .find(&format!("{title}\n"))
            .or_else(|| page.find(&format!("{title} (")))
            .unwrap_or_else(|| panic!("commands.md has no `{title}` section"));
        let section = &page[start + title.len()..];
        let section = &section[..section.find("\n### ").unwrap_or(section.len())];
        let flags = long_flags(&c);
        let has_values = flags.iter().any(|f| f == "--values");
        for flag in flags {
            if has_values && values.contains(&flag.as_str()) {
                assert!(
                    section.lines().next().unwrap_or("").contains("*values*"),
                    "{title}: takes the values group but is not marked *values*"
                );
            } else {
                assert!(
                    section.contains(&format!("`{flag}")) || section.contains(&format!(", {flag}")),
                    "{title}: `{flag}` is not listed"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "walked {checked} commands");
    for code in ["| 0 |", "| 1 |", "| 2 |", "| 64 |"] {
        assert!(page.contains(code), "exit code row `{code}`");
    }
}
