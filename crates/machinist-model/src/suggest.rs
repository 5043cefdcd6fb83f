//! "Did you mean" suggestions. In: a name someone wrote (a key, a kind, a node, a layer) and the
//! names that exist there. Out: the one existing name close enough to be a likely typo, or none.
//! Every suggestion machinist makes, in the schema check and in the project loader alike, goes
//! through [`did_you_mean`], so the same typo gets the same hint everywhere.

/// The candidate closest to `wanted`, when one is close enough to be a likely typo.
///
/// The rule (compared ignoring ASCII case, so `Interfaces` suggests `interfaces`):
/// - a candidate is close enough when at most a third of `wanted`'s letters (at least one) must be
///   inserted, deleted, replaced or swapped with a neighbour to reach it (optimal string alignment
///   distance), or when it shares a strong common prefix (Jaro-Winkler similarity above 0.9);
/// - among close candidates the fewest edits win, then the higher similarity, then the name
///   that sorts first, so the answer never depends on the order of `candidates`;
/// - a candidate spelled exactly like `wanted` is never suggested.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = wanted.to_ascii_lowercase();
    let budget = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .map(|c| {
            let c_lower = c.to_ascii_lowercase();
            (
                strsim::osa_distance(&lower, &c_lower),
                strsim::jaro_winkler(&lower, &c_lower),
                c,
            )
        })
        .filter(|(dist, jw, _)| *dist <= budget || *jw > 0.9)
        .min_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(b.2))
        })
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_names_within_a_third_of_their_letters() {
        assert_eq!(did_you_mean("vipp", ["vip", "subnet"]), Some("vip"));
        // A swap of neighbours is one edit.
        assert_eq!(
            did_you_mean("mut", ["vip", "mtu", "nameservers"]),
            Some("mtu")
        );
        assert_eq!(did_you_mean("layer", ["layers", "name"]), Some("layers"));
        assert_eq!(
            did_you_mean("hostnme", ["hostname", "interfaces"]),
            Some("hostname")
        );
        // Eight letters allow two edits, not three.
        assert_eq!(did_you_mean("hostnaxx", ["hostname"]), Some("hostname"));
        assert_eq!(did_you_mean("hostxxxx", ["hostname"]), None);
    }

    #[test]
    fn a_strong_common_prefix_is_enough() {
        // Seven letters missing, far more than a third of 10, but the whole word is its start.
        assert_eq!(
            did_you_mean("kubernetes", ["kubernetesVersion", "image"]),
            Some("kubernetesVersion")
        );
        // The same letters without the common start are not similar enough.
        assert_eq!(did_you_mean("disk", ["installDiskSelector"]), None);
    }

    #[test]
    fn ignores_case_but_never_suggests_the_same_name() {
        assert_eq!(
            did_you_mean("Interfaces", ["interfaces", "nameservers"]),
            Some("interfaces")
        );
        assert_eq!(did_you_mean("mtu", ["mtu"]), None);
        assert_eq!(did_you_mean("hostname", ["subnet", "mtu"]), None);
        assert_eq!(did_you_mean("zzzz", ["hostname", "interfaces"]), None);
    }

    #[test]
    fn ties_go_to_the_name_that_sorts_first_whatever_the_order() {
        assert_eq!(did_you_mean("ab", ["ac", "aa"]), Some("aa"));
        assert_eq!(did_you_mean("ab", ["aa", "ac"]), Some("aa"));
    }
}
