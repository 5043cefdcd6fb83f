//! talhelper patches to project patch files. In: one talhelper patch entry (inline text, `@file`,
//! or the older `configPatches` / `inlinePatch` forms) and the import context. Out: a file under
//! `patches/` and its path, with `${VAR}`s filled from talenv, JSON 6902 patches rewritten for
//! multi-document configs, secrets left out (they belong in the encrypted bundle), and a report
//! line for whatever could not be carried over.

use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

use super::Ctx;

impl Ctx {
    /// Writes one patch (inline text or `@file`) as a project patch file; returns its path.
    pub(super) fn patch(&mut self, field: &str, scope: &str, entry: &Value) -> Option<String> {
        let Some(text) = entry.as_str() else {
            self.skip(
                field,
                "a patch entry must be a string (inline patch or `@file`)",
            );
            return None;
        };
        let (stem, body) = match text.trim().strip_prefix('@') {
            Some(file) => {
                let path = self.base_dir.join(file);
                match std::fs::read_to_string(&path) {
                    Ok(body) => (
                        Path::new(file)
                            .file_stem()
                            .map_or_else(|| scope.to_string(), |s| s.to_string_lossy().into()),
                        body,
                    ),
                    Err(e) => {
                        self.skip(
                            field,
                            format!("patch file {} not readable ({e}); copy it into patches/ and list it", path.display()),
                        );
                        return None;
                    }
                }
            }
            None => (scope.to_string(), text.to_string()),
        };
        let mut body = body;
        if body.contains("${") {
            let substituted = self.subst(&body);
            if substituted.contains("${") {
                self.skip(
                    field,
                    "the patch uses ${VAR} variables with no talenv value; they are kept verbatim (patch files are not templates)",
                );
            }
            body = substituted;
        }
        // talhelper runs patches through envsubst, where `$$` is an escaped `$` (`$$patch`).
        if body.contains("$$") {
            body = body.replace("$$", "$");
        }
        if body.contains("{{") {
            self.skip(
                field,
                "the patch uses talhelper Go templates; they are kept verbatim and must be rewritten as values or templates",
            );
        }
        match machinist_patch::Patch::parse(field, &body) {
            Err(e) => {
                self.skip(field, format!("not a valid Talos patch, left out: {e}"));
                return None;
            }
            Ok(machinist_patch::Patch {
                body: machinist_patch::PatchBody::Json6902(ops),
                ..
            }) if self.multi_doc => match crate::import::jsonpatch::to_strategic(&ops) {
                Some(s) => {
                    self.skip(
                        field,
                        "JSON patch rewritten as a strategic merge patch (Talos refuses JSON patches on multi-document configs)",
                    );
                    body = format!(
                        "# Rewritten by `machinist import` from a JSON 6902 patch.\n{}",
                        serde_yaml_ng::to_string(&s).unwrap_or_default()
                    );
                }
                None => {
                    self.skip(
                        field,
                        "JSON patch with no strategic equivalent; Talos refuses JSON patches on multi-document configs, so it is left out",
                    );
                    return None;
                }
            },
            Ok(_) => {}
        }
        // Secrets never go into plaintext project files: they belong in the encrypted bundle.
        if let Ok(machinist_patch::Patch {
            body: machinist_patch::PatchBody::Strategic(mut docs),
            ..
        }) = machinist_patch::Patch::parse(field, &body)
        {
            let stripped = crate::import::configs::strip_secrets(&mut docs);
            if !stripped.is_empty() {
                let list: Vec<String> = stripped.into_iter().collect();
                self.skip(
                    field,
                    format!(
                        "secret values left out of the patch file ({}): put them in the encrypted bundle with `machinist secrets import`",
                        list.join(", ")
                    ),
                );
                body = format!(
                    "# Written by `machinist import`; secrets were left out (see the import report).\n{}",
                    machinist_patch::to_yaml(&docs)
                );
            }
        }
        let mut name = format!("{stem}.yaml");
        let mut n = 2;
        while !self.patch_names.insert(name.clone()) {
            name = format!("{stem}-{n}.yaml");
            n += 1;
        }
        let rel = format!("patches/{name}");
        if !body.ends_with('\n') {
            body.push('\n');
        }
        self.files.insert(PathBuf::from(&rel), body);
        Some(rel)
    }
}

/// The older patch forms talhelper still accepts, as patch files: `configPatches` (a list of JSON
/// 6902 operations) and `inlinePatch` (a strategic merge patch as a map).
pub(super) fn legacy_patches(ctx: &mut Ctx, prefix: &str, scope: &str, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["configPatches", "inlinePatch"] {
        let Some(body) = v.get(key) else { continue };
        let field = format!("{prefix}{key}");
        let text = match serde_yaml_ng::to_string(body) {
            Ok(t) if body.is_sequence() || body.is_mapping() => t,
            _ => {
                ctx.skip(
                    &field,
                    "must be a list of JSON patch operations or a patch map",
                );
                continue;
            }
        };
        if let Some(rel) = ctx.patch(&field, scope, &Value::String(text)) {
            out.push(rel);
        }
    }
    out
}

pub(super) fn drop_patch_keys(v: &mut Value) {
    if let Value::Mapping(m) = v {
        for key in ["patches", "configPatches", "inlinePatch"] {
            m.shift_remove(key);
        }
    }
}
