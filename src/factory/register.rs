//! Registering schematics with an Image Factory. In: the factory base URL and a schematic's
//! canonical YAML with the ID machinist computed for it. Out: `Ok` when the factory answers
//! with that same ID, else a typed error (unreachable, refused, or a different ID — which would
//! mean the node's installer image and the factory's assets do not match).
//!
//! `POST <base>/schematics` with the YAML body; the factory answers `{"id": "<sha256>"}` (201
//! when new, 200 when it already has it), so registering is idempotent.

use std::time::Duration;

/// Why registering failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The request did not complete (DNS, connect, TLS, timeout).
    #[error("cannot reach the Image Factory at {url}: {reason}")]
    Unreachable {
        /// The URL posted to.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The factory answered with an error status.
    #[error("the Image Factory at {url} refused the schematic: HTTP {status}: {body}")]
    Refused {
        /// The URL posted to.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// The answer is not `{"id": "..."}`.
    #[error("the Image Factory at {url} answered something that is not a schematic ID: {body}")]
    BadAnswer {
        /// The URL posted to.
        url: String,
        /// The start of the answer's body.
        body: String,
    },
    /// The factory computed another ID than machinist.
    #[error(
        "the Image Factory at {url} registered the schematic as {got}, but the project's installer image uses {want}"
    )]
    IdMismatch {
        /// The URL posted to.
        url: String,
        /// The ID machinist computed (and the installer image names).
        want: String,
        /// The ID the factory answered.
        got: String,
    },
}

fn clip(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Posts `schematic` (canonical YAML) to `<base>/schematics` and checks that the factory answers
/// with `want`.
pub fn register(base: &str, schematic: &str, want: &str) -> Result<(), RegisterError> {
    let url = format!("{}/schematics", base.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let unreachable = |e: ureq::Error| RegisterError::Unreachable {
        url: url.clone(),
        reason: e.to_string(),
    };
    let mut resp = agent
        .post(&url)
        .header("Content-Type", "application/yaml")
        .send(schematic)
        .map_err(unreachable)?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .map_err(unreachable)?;
    if !(200..300).contains(&status) {
        return Err(RegisterError::Refused {
            url,
            status,
            body: clip(&body),
        });
    }
    let got = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .ok_or_else(|| RegisterError::BadAnswer {
            url: url.clone(),
            body: clip(&body),
        })?;
    if got != want {
        return Err(RegisterError::IdMismatch {
            url,
            want: want.to_string(),
            got,
        });
    }
    Ok(())
}
