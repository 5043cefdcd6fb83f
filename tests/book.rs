//! Every `$ machinist ...` line in the book and the README runs, from the repository root, and
//! exits 0 (or the status a trailing `# exit N` names). Commands that need a running node are
//! written without `$` and are covered by the integration tests their page names.

mod common;

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
