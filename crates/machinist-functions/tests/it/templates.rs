//! Renders templates through a real minijinja environment with `register()` applied, in the
//! strict-undefined mode machinist uses: every function works as a function and as a filter, and
//! bad input surfaces as a template error carrying the function name and the offending value.

use minijinja::{Environment, ErrorKind, UndefinedBehavior, context};

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    machinist_functions::register(&mut env);
    env
}

fn ctx() -> minijinja::Value {
    context! {
        values => context! {
            lan => context! { subnet => "192.168.1.0/24", v6 => "fd00:fd12:3456:7890::/56" },
            empty => "",
            nothing => (),
            schematic => context! {
                customization => context! {
                    systemExtensions => context! {
                        officialExtensions => vec![
                            "siderolabs/iscsi-tools",
                            "siderolabs/util-linux-tools",
                            "siderolabs/intel-ucode",
                            "siderolabs/i915-ucode",
                            "siderolabs/qemu-guest-agent",
                        ],
                    },
                },
            },
        },
    }
}

fn render(src: &str) -> String {
    env()
        .render_str(src, ctx())
        .unwrap_or_else(|e| panic!("{src}: {e:#}"))
}

/// The error detail (the part after "invalid operation: ") of a failing render.
fn error(src: &str) -> String {
    let e = env().render_str(src, ctx()).expect_err(src);
    assert_eq!(e.kind(), ErrorKind::InvalidOperation, "{src}: {e:#}");
    e.detail().unwrap_or_default().to_string()
}

const HOMELAB_ID: &str = "6147aa21a1247ea7780c8273110fe0ba30694da0ead8010b9e00e62a35400258";

/// minijinja prints booleans as `True`/`False`; templates that need YAML's `true` write
/// `| tojson` or use the value in an `if`.
#[test]
fn function_and_filter_forms_agree() {
    let pairs: &[(&str, &str, &str)] = &[
        (
            "cidrhost(values.lan.subnet, 10)",
            "values.lan.subnet | cidrhost(10)",
            "192.168.1.10",
        ),
        (
            "cidrhostprefix(values.lan.subnet, 10)",
            "values.lan.subnet | cidrhostprefix(10)",
            "192.168.1.10/24",
        ),
        (
            "cidrsubnet('10.0.0.0/8', 8, 2)",
            "'10.0.0.0/8' | cidrsubnet(8, 2)",
            "10.2.0.0/16",
        ),
        (
            "cidrsubnet(values.lan.v6, 16, 162)",
            "values.lan.v6 | cidrsubnet(16, 162)",
            "fd00:fd12:3456:7800:a200::/72",
        ),
        (
            "cidrsubnets('10.1.0.0/16', 4, 4, 8, 4) | join(' ')",
            "('10.1.0.0/16' | cidrsubnets(4, 4, 8, 4)) | join(' ')",
            "10.1.0.0/20 10.1.16.0/20 10.1.32.0/24 10.1.48.0/20",
        ),
        (
            "cidrnetmask(values.lan.subnet)",
            "values.lan.subnet | cidrnetmask",
            "255.255.255.0",
        ),
        (
            "cidrnetwork('192.168.1.77/24')",
            "'192.168.1.77/24' | cidrnetwork",
            "192.168.1.0/24",
        ),
        (
            "cidrprefixlen(values.lan.subnet)",
            "values.lan.subnet | cidrprefixlen",
            "24",
        ),
        (
            "cidrsize(values.lan.subnet)",
            "values.lan.subnet | cidrsize",
            "256",
        ),
        (
            "cidrsize('fd00::/64')",
            "'fd00::/64' | cidrsize",
            "18446744073709551616",
        ),
        (
            "cidrbroadcast(values.lan.subnet)",
            "values.lan.subnet | cidrbroadcast",
            "192.168.1.255",
        ),
        (
            "cidrfirst(values.lan.subnet)",
            "values.lan.subnet | cidrfirst",
            "192.168.1.1",
        ),
        (
            "cidrlast(values.lan.subnet)",
            "values.lan.subnet | cidrlast",
            "192.168.1.254",
        ),
        (
            "cidrcontains(values.lan.subnet, '192.168.1.10')",
            "values.lan.subnet | cidrcontains('192.168.1.10')",
            "True",
        ),
        (
            "cidrcontains(values.lan.subnet, '10.0.0.1')",
            "values.lan.subnet | cidrcontains('10.0.0.1')",
            "False",
        ),
        (
            "cidroverlaps('10.0.0.0/8', '10.244.0.0/16')",
            "'10.0.0.0/8' | cidroverlaps('10.244.0.0/16')",
            "True",
        ),
        (
            "ipadd('192.168.1.11', 1)",
            "'192.168.1.11' | ipadd(1)",
            "192.168.1.12",
        ),
        (
            "ipaddr('192.168.1.11/24')",
            "'192.168.1.11/24' | ipaddr",
            "192.168.1.11",
        ),
        ("ipversion('fd00::1')", "'fd00::1' | ipversion", "6"),
        (
            "ipvalid('192.168.1.300')",
            "'192.168.1.300' | ipvalid",
            "False",
        ),
        ("ipvalid('fd00::1')", "'fd00::1' | ipvalid", "True"),
        (
            "schematic_id(values.schematic)",
            "values.schematic | schematic_id",
            HOMELAB_ID,
        ),
        (
            "required(values.lan.subnet, 'need a subnet')",
            "values.lan.subnet | required('need a subnet')",
            "192.168.1.0/24",
        ),
        (
            "to_json(values.lan)",
            "values.lan | to_json",
            r#"{"subnet":"192.168.1.0/24","v6":"fd00:fd12:3456:7890::/56"}"#,
        ),
        (
            "to_yaml(values.lan)",
            "values.lan | to_yaml",
            "subnet: 192.168.1.0/24\nv6: fd00:fd12:3456:7890::/56",
        ),
        (
            "from_yaml('a: [1, 2]').a[1]",
            "('a: [1, 2]' | from_yaml).a[1]",
            "2",
        ),
        ("b64encode('talos')", "'talos' | b64encode", "dGFsb3M="),
        ("b64decode('dGFsb3M=')", "'dGFsb3M=' | b64decode", "talos"),
        (
            "sha256('')",
            "'' | sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
    ];
    for (function, filter, expected) in pairs {
        assert_eq!(
            render(&format!("{{{{ {function} }}}}")),
            *expected,
            "{function}"
        );
        assert_eq!(
            render(&format!("{{{{ {filter} }}}}")),
            *expected,
            "{filter}"
        );
    }
}

/// Sizes beyond 64 bits stay integers that compare and compute.
#[test]
fn large_sizes_are_numbers() {
    assert_eq!(
        render("{{ cidrsize('fd00::/64') // 2 }}"),
        "9223372036854775808"
    );
    assert_eq!(render("{{ cidrsize('fd00::/64') > 1000 }}"), "True");
    assert_eq!(
        render("{{ cidrsize('::/1') }}"),
        "170141183460469231731687303715884105728"
    );
    assert_eq!(
        render("{{ cidrsize('fd00::/64') | to_json }}"),
        "18446744073709551616"
    );
}

#[test]
fn installer_image_keywords() {
    let plain = format!("factory.talos.dev/installer/{HOMELAB_ID}:v1.12.7");
    assert_eq!(
        render("{{ installer_image(values.schematic, 'v1.12.7') }}"),
        plain
    );
    assert_eq!(
        render("{{ values.schematic | installer_image('v1.12.7') }}"),
        plain
    );
    assert_eq!(
        render("{{ installer_image(values.schematic | schematic_id, 'v1.12.7') }}"),
        plain
    );
    assert_eq!(
        render(
            "{{ installer_image(values.schematic, 'v1.12.7', factory='factory.example.com', secureboot=true) }}"
        ),
        format!("factory.example.com/installer-secureboot/{HOMELAB_ID}:v1.12.7")
    );
    assert_eq!(
        render("{{ installer_image(values.schematic, 'v1.12.7', 'factory.example.com', true) }}"),
        format!("factory.example.com/installer-secureboot/{HOMELAB_ID}:v1.12.7")
    );
    assert_eq!(
        error("{{ installer_image(values.schematic, 'v1.12.7', secure_boot=true) }}"),
        "installer_image: unknown keyword argument `secure_boot` (expected factory or secureboot)"
    );
    assert_eq!(
        error("{{ installer_image(values.schematic, 'v1.12.7', secureboot='yes') }}"),
        "installer_image: secureboot must be true or false, got string \"yes\""
    );
    assert_eq!(
        error("{{ installer_image('abc', 'v1.12.7') }}"),
        "installer_image: \"abc\" is not a schematic ID (expected 64 lowercase hex characters)"
    );
}

#[test]
fn ip_errors_name_the_function_and_the_value() {
    assert_eq!(
        error("{{ cidrhost('192.168.1.0/33', 1) }}"),
        "cidrhost: \"192.168.1.0/33\" is not a CIDR prefix (the length 33 is more than 32, the bits of an IPv4 address)"
    );
    assert_eq!(
        error("{{ values.lan.subnet | cidrhost(300) }}"),
        "cidrhost: host number 300 does not fit in the 8 host bits of 192.168.1.0/24 (valid host numbers are -256 to 255)"
    );
    assert_eq!(
        error("{{ cidrhost(values.lan.subnet, '10') }}"),
        "cidrhost: the host number must be a whole number, got string \"10\" (convert it with `| int`)"
    );
    assert_eq!(
        error("{{ cidrhost(values.lan.subnet, 1.5) }}"),
        "cidrhost: the host number must be a whole number, got number 1.5"
    );
    assert_eq!(
        error("{{ cidrhost('::/0', 340282366920938463463374607431768211455) }}"),
        "cidrhost: the host number 340282366920938463463374607431768211455 is too large (the largest is 2^127 - 1)"
    );
    assert_eq!(
        error("{{ cidrhost(values.lan.subnet, true) }}"),
        "cidrhost: the host number must be a whole number, got boolean True"
    );
    assert_eq!(
        error("{{ cidrhost(42, 1) }}"),
        "cidrhost: expected a CIDR prefix such as \"192.168.1.0/24\", got integer 42"
    );
    assert_eq!(
        error("{{ cidrsubnet('10.0.0.0/8', 8, 256) }}"),
        "cidrsubnet: subnet number 256 does not fit in 8 new bits of 10.0.0.0/8 (valid subnet numbers are 0 to 255)"
    );
    assert_eq!(
        error("{{ cidrsubnets('10.0.0.0/30', 1, 1, 1) }}"),
        "cidrsubnets: not enough room in 10.0.0.0/30 for a /31 subnet after 10.0.0.2/31"
    );
    assert_eq!(
        error("{{ cidrnetmask(values.lan.v6) }}"),
        "cidrnetmask: fd00:fd12:3456:7800::/56 is an IPv6 prefix; netmasks exist only for IPv4 (use cidrprefixlen for the length)"
    );
    assert_eq!(
        error("{{ cidrsize('::/0') }}"),
        "cidrsize: ::/0 holds 2^128 addresses, more than the largest supported integer (2^128 - 1)"
    );
    assert_eq!(
        error("{{ ipadd('255.255.255.255', 1) }}"),
        "ipadd: 255.255.255.255 + 1 is outside the IPv4 address space"
    );
    assert_eq!(
        error("{{ ipaddr('nope') }}"),
        "ipaddr: \"nope\" is not an IP address"
    );
    assert_eq!(
        error("{{ ipversion(none) }}"),
        "ipversion: expected an IP address such as \"192.168.1.10\", got none"
    );
    assert_eq!(
        error("{{ cidrcontains(values.lan.subnet, '10.0.0.300') }}"),
        "cidrcontains: \"10.0.0.300\" is not an IP address (octet 300 is more than 255)"
    );
    // ipvalid answers for anything, never an error.
    assert_eq!(
        render("{{ ipvalid(none) }} {{ ipvalid(3) }} {{ ipvalid('10.0.0.1/8') }}"),
        "False False False"
    );
}

#[test]
fn errors_carry_template_name_and_line() {
    let mut env = env();
    env.add_template(
        "node.yaml",
        "a: 1\nvip: {{ cidrhost(values.lan.subnet, 999) }}\n",
    )
    .unwrap();
    let e = env
        .get_template("node.yaml")
        .unwrap()
        .render(ctx())
        .unwrap_err();
    assert_eq!(e.name(), Some("node.yaml"));
    assert_eq!(e.line(), Some(2));
    assert_eq!(
        e.to_string(),
        "invalid operation: cidrhost: host number 999 does not fit in the 8 host bits of 192.168.1.0/24 (valid host numbers are -256 to 255) (in node.yaml:2)"
    );
}

#[test]
fn required_and_fail_follow_helm() {
    assert_eq!(
        error("{{ values.missing | required('set values.missing') }}"),
        "set values.missing"
    );
    assert_eq!(
        error("{{ required(values.empty, 'values.empty must not be empty') }}"),
        "values.empty must not be empty"
    );
    assert_eq!(
        error("{{ required(values.nothing, 'nothing') }}"),
        "nothing"
    );
    assert_eq!(
        error("{{ values.missing | required }}"),
        "required: a required value is missing or empty"
    );
    // Zero, false and empty lists are values, as in Helm.
    assert_eq!(
        render(
            "{{ required(0, 'x') }} {{ required(false, 'x') }} {{ required([], 'x') | length }}"
        ),
        "0 False 0"
    );
    assert_eq!(
        error("{% if true %}{{ fail('unsupported disk layout') }}{% endif %}"),
        "unsupported disk layout"
    );
}

#[test]
fn encoding_errors() {
    assert_eq!(
        error("{{ b64decode('not base64!') }}"),
        "b64decode: \"not base64!\" is not valid base64 (character ' ' at offset 3 is not in the base64 alphabet)"
    );
    assert_eq!(
        error("{{ b64decode('/w==') }}"),
        "b64decode: the decoded bytes are not UTF-8 text (invalid byte at offset 0)"
    );
    assert_eq!(
        error("{{ from_yaml('a: [1') }}"),
        "from_yaml: the text is not valid YAML: did not find expected ',' or ']' at line 2 column 1, while parsing a flow sequence at line 1 column 4"
    );
    assert_eq!(
        error("{{ to_json(values.missing) }}"),
        "to_json: the value is undefined"
    );
    assert_eq!(
        error("{{ to_yaml(values.missing) }}"),
        "to_yaml: the value is undefined"
    );
    assert_eq!(
        render("{{ to_json(values.lan, indent=2) }}"),
        "{\n  \"subnet\": \"192.168.1.0/24\",\n  \"v6\": \"fd00:fd12:3456:7890::/56\"\n}"
    );
    assert_eq!(
        error("{{ sha256(1) }}"),
        "sha256: expected text or bytes, got integer 1"
    );
}

#[test]
fn schematic_errors_surface_with_the_path() {
    assert_eq!(
        error("{{ schematic_id({'customization': {'systemExtension': {}}}) }}"),
        "schematic_id: unknown key `customization.systemExtension` in the schematic (expected one of: extraKernelArgs, meta, systemExtensions, secureboot)"
    );
    assert_eq!(
        error("{{ schematic_id('siderolabs/iscsi-tools') }}"),
        "schematic_id: expected a schematic map (overlay, customization), got string \"siderolabs/iscsi-tools\""
    );
}
