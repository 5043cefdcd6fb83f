//! Image Factory schematic IDs for imported schematics. In: a talhelper `schematic:` value.
//! Out: its ID (lowercase hex SHA-256 of the schematic in the factory's canonical YAML form:
//! Go yaml.v3 output with 4-space indentation and the factory's field order), computed offline.

use serde_yaml_ng::Value;
use sha2::{Digest, Sha256};

/// Computes the schematic ID, or explains which part of the schematic is not supported.
pub(crate) fn schematic_id(s: &Value) -> Result<String, String> {
    let text = canonical(s)?;
    Ok(hex::encode(Sha256::digest(text.as_bytes())))
}

fn scalar(v: &Value) -> Result<String, String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => return Ok(n.to_string()),
        Value::Bool(b) => return Ok(b.to_string()),
        _ => return Err("expected a scalar".into()),
    };
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=+:,@".contains(c))
        && !s.starts_with(['-', ':', '@'])
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
        );
    Ok(if plain {
        s
    } else {
        serde_json::to_string(&s).map_err(|e| e.to_string())?
    })
}

fn list(out: &mut String, indent: &str, v: &Value, what: &str) -> Result<(), String> {
    let items = v.as_sequence().ok_or(format!("{what} must be a list"))?;
    for i in items {
        out.push_str(&format!("{indent}- {}\n", scalar(i)?));
    }
    Ok(())
}

fn canonical(s: &Value) -> Result<String, String> {
    let m = s.as_mapping().ok_or("a schematic is a mapping")?;
    for k in m.keys() {
        if !matches!(k.as_str(), Some("overlay" | "customization")) {
            return Err(format!("unknown schematic field `{}`", k.as_str().unwrap_or("?")));
        }
    }
    let mut out = String::new();
    if let Some(o) = s.get("overlay") {
        out.push_str("overlay:\n");
        for k in ["image", "name"] {
            if let Some(v) = o.get(k) {
                out.push_str(&format!("    {k}: {}\n", scalar(v)?));
            }
        }
        if o.get("options").is_some() {
            return Err("overlay options are not supported offline".into());
        }
    }
    let c = s.get("customization");
    let c = c.and_then(Value::as_mapping).filter(|m| !m.is_empty());
    let Some(c) = c else {
        out.push_str("customization: {}\n");
        return Ok(out);
    };
    for k in c.keys() {
        if !matches!(
            k.as_str(),
            Some("extraKernelArgs" | "meta" | "systemExtensions" | "secureboot")
        ) {
            return Err(format!(
                "unknown customization field `{}`",
                k.as_str().unwrap_or("?")
            ));
        }
    }
    out.push_str("customization:\n");
    if let Some(a) = c.get("extraKernelArgs") {
        out.push_str("    extraKernelArgs:\n");
        list(&mut out, "        ", a, "extraKernelArgs")?;
    }
    if let Some(meta) = c.get("meta") {
        out.push_str("    meta:\n");
        for e in meta.as_sequence().ok_or("meta must be a list")? {
            let key = e.get("key").ok_or("meta entries need `key`")?;
            let value = e.get("value").ok_or("meta entries need `value`")?;
            out.push_str(&format!(
                "        - key: {}\n          value: {}\n",
                scalar(key)?,
                scalar(value)?
            ));
        }
    }
    if let Some(se) = c.get("systemExtensions") {
        if let Some(off) = se.get("officialExtensions") {
            out.push_str("    systemExtensions:\n        officialExtensions:\n");
            list(&mut out, "            ", off, "officialExtensions")?;
        }
    }
    if let Some(sb) = c.get("secureboot") {
        if let Some(v) = sb.get("includeWellKnownCertificates") {
            out.push_str(&format!(
                "    secureboot:\n        includeWellKnownCertificates: {}\n",
                scalar(v)?
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> String {
        schematic_id(&serde_yaml_ng::from_str(s).unwrap()).unwrap()
    }

    #[test]
    fn known_ids() {
        // IDs checked against the factory's algorithm (reference image-factory.md).
        assert_eq!(
            id("customization: {}"),
            "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"
        );
        assert_eq!(
            id("customization: {extraKernelArgs: [noapic, nolapic]}"),
            "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c"
        );
        assert_eq!(
            id("customization: {meta: [{key: 10, value: foo}]}"),
            "d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f"
        );
    }

    #[test]
    fn unsupported_parts_are_named() {
        let e = schematic_id(&serde_yaml_ng::from_str("overlay: {name: rpi, options: {a: 1}}").unwrap())
            .unwrap_err();
        assert!(e.contains("overlay options"), "{e}");
    }
}
