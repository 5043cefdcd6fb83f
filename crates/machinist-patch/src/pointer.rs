//! JSON Pointer (RFC 6901) reference tokens, written once for the workspace. In: a pointer such as
//! `/machine/network/interfaces/0` or one escaped token (`~1` for `/`, `~0` for `~`). Out: the
//! unescaped tokens, or an escaped token for building a pointer.

/// Undoes the escaping of one reference token: `~1` → `/`, then `~0` → `~` (in that order, so
/// `~01` is the literal `~1`).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Escapes one reference token: `~` → `~0`, then `/` → `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The unescaped reference tokens of a pointer; the leading `/` is optional and `""` (the whole
/// document) has none.
pub fn tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    let rest = pointer.strip_prefix('/').unwrap_or(pointer);
    (!pointer.is_empty())
        .then(|| rest.split('/').map(unescape))
        .into_iter()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_unescape_in_rfc_6901_order() {
        assert_eq!(unescape("a~1b"), "a/b");
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(escape("~1/"), "~01~1");
        assert_eq!(unescape(&escape("x/~y")), "x/~y");
        let t: Vec<String> = tokens("/machine/kubelet~1extra/~0tilde/0").collect();
        assert_eq!(t, ["machine", "kubelet/extra", "~tilde", "0"]);
        assert_eq!(tokens("").count(), 0);
        assert_eq!(tokens("/").collect::<Vec<_>>(), [""]);
    }
}
