//! Editor check with a real client: yaml-language-server 2.0.0 (pinned in tests/lsp/package.json,
//! installed by `npm ci` there) is driven over stdio, and the schemas machinist writes must give a
//! diagnostic on a typo'd key and none on a valid file — for a node file and for a rendered config.
//! Skipped, with a message, when node or the npm modules are not installed.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn server_script() -> Option<PathBuf> {
    let script =
        common::repo().join("tests/lsp/node_modules/yaml-language-server/bin/yaml-language-server");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    (node && script.exists()).then_some(script)
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
}

fn settings() -> Value {
    json!({ "yaml": { "validate": true, "schemaStore": { "enable": false }, "hover": true, "completion": true } })
}

impl Server {
    fn start(script: &Path, root: &Path) -> Server {
        let mut child = Command::new("node")
            .arg(script)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("yaml-language-server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body)
                    && tx.send(v).is_err()
                {
                    return;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            rx,
            next_id: 1,
        };
        let uri = format!("file://{}", root.display());
        s.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri,
                "capabilities": { "workspace": { "configuration": true } },
                "workspaceFolders": [{ "uri": uri, "name": "test" }]
            }),
        );
        s.wait_for(|m| m.get("id") == Some(&json!(1)) && m.get("result").is_some());
        s.notify("initialized", json!({}));
        s.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": settings() }),
        );
        s
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body)
            .expect("write to server");
        self.stdin.flush().expect("flush");
    }

    fn request(&mut self, method: &str, params: Value) {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Reads messages (answering the server's own requests) until one matches.
    fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .rx
                .recv_timeout(left)
                .expect("yaml-language-server answers within 60 s");
            if let (Some(id), Some(method)) =
                (msg.get("id"), msg.get("method").and_then(Value::as_str))
            {
                let result = match method {
                    "workspace/configuration" => {
                        let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![settings()["yaml"].clone(); n])
                    }
                    _ => Value::Null,
                };
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                continue;
            }
            if pred(&msg) {
                return msg;
            }
        }
    }

    /// Opens `path` and returns the diagnostics the server publishes for it.
    fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        let uri = format!("file://{}", path.display());
        let text = std::fs::read_to_string(path).expect("file reads");
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
        let msg = self.wait_for(|m| {
            m.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
                && m["params"]["uri"] == json!(uri)
        });
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(dir: &Path, name: &str, schema: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let schema = common::repo().join("schema").join(schema);
    std::fs::write(
        &path,
        format!(
            "# yaml-language-server: $schema={}\n{body}",
            schema.display()
        ),
    )
    .unwrap();
    path
}

/// (line, message) of each diagnostic.
fn summary(diags: &[Value]) -> Vec<(u64, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn yaml_language_server_reports_typos_with_machinist_schemas() {
    let Some(script) = server_script() else {
        machinist_testkit::skip(
            "node or tests/lsp/node_modules missing (run `npm ci` in tests/lsp)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&script, dir.path());

    let good_node = write(
        dir.path(),
        "cp-01.yaml",
        "node.schema.json",
        "address: 192.168.1.11\nfacets: { role: controlplane }\nvalues:\n  hostname: cp-01\n",
    );
    let bad_node = write(
        dir.path(),
        "cp-02.yaml",
        "node.schema.json",
        "address: 192.168.1.12\nfacts: { role: controlplane }\n",
    );
    let config = "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n    hostname: cp-01\n  install:\n    disk: /dev/sda\ncluster:\n  controlPlane:\n    endpoint: https://192.168.1.10:6443\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: cp-01\n";
    let good_config = write(
        dir.path(),
        "rendered-ok.yaml",
        "v1.13/config.schema.json",
        config,
    );
    let bad_config = write(
        dir.path(),
        "rendered-bad.yaml",
        "v1.13/config.schema.json",
        &config.replace(
            "    hostname: cp-01\n  install",
            "    hostnme: cp-01\n  install",
        ),
    );

    let d = server.diagnostics(&good_node);
    assert!(d.is_empty(), "valid node file: {:?}", summary(&d));
    let d = summary(&server.diagnostics(&bad_node));
    assert!(
        d.iter()
            .any(|(line, msg)| *line == 2 && msg.contains("facts")),
        "node file typo on line 3: {d:?}"
    );
    let d = server.diagnostics(&good_config);
    assert!(d.is_empty(), "valid rendered config: {:?}", summary(&d));
    let d = summary(&server.diagnostics(&bad_config));
    assert!(
        d.iter()
            .any(|(line, msg)| *line == 5 && msg.contains("hostnme")),
        "rendered config typo on line 6: {d:?}"
    );
}
