//! The bundle at rest: the real `age` CLI decrypts what machinist writes and machinist reads what
//! `age` writes (armored and binary); identities are found only where documented; a missing or
//! undecryptable bundle is an error naming the file and the fix.

use crate::common;

use std::path::Path;
use std::process::Command;

use machinist_model::Contract;
use machinist_secrets::atrest::{self, IdentityEnv};
use machinist_secrets::{Bundle, SecretsError};

fn bundle() -> &'static Bundle {
    static B: std::sync::OnceLock<Bundle> = std::sync::OnceLock::new();
    B.get_or_init(|| Bundle::generate(Contract::V1_13).unwrap())
}

fn identity(dir: &Path, name: &str) -> (std::path::PathBuf, String) {
    let p = dir.join(name);
    let r = atrest::create_identity_file(&p).unwrap();
    (p, r)
}

fn env_with_file(p: &Path) -> IdentityEnv {
    IdentityEnv {
        key_file: Some(p.to_path_buf()),
        ..IdentityEnv::default()
    }
}

fn have_age() -> bool {
    if Command::new("age").arg("--version").output().is_ok() {
        return true;
    }
    machinist_testkit::skip("the `age` CLI is not installed (apt-get install age)");
    false
}

#[test]
fn age_cli_decrypts_what_machinist_writes() {
    if !have_age() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (id1, r1) = identity(dir.path(), "one.txt");
    let (id2, r2) = identity(dir.path(), "two.txt");
    let path = dir.path().join("secrets.yaml.age");
    atrest::save_bundle(&path, bundle(), &[r1, r2]).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    for id in [&id1, &id2] {
        let out = Command::new("age")
            .args(["-d", "-i"])
            .arg(id)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap(), bundle().to_yaml());
    }
}

#[test]
fn machinist_reads_what_the_age_cli_writes() {
    if !have_age() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity(dir.path(), "id.txt");
    let plain = common::write(dir.path(), "secrets.yaml", &bundle().to_yaml());
    for armor in [true, false] {
        let out_path = dir.path().join(format!("s-{armor}.age"));
        let mut cmd = Command::new("age");
        cmd.args(["-r", &r, "-o"]).arg(&out_path);
        if armor {
            cmd.arg("-a");
        }
        let st = cmd.arg(&plain).status().unwrap();
        assert!(st.success());
        let loaded = atrest::load_bundle(&out_path, &env_with_file(&id)).unwrap();
        assert_eq!(&loaded, bundle());
    }
}

#[test]
fn identities_come_from_env_file_env_value_or_user_config_dir_only() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity(dir.path(), "id.txt");
    let path = dir.path().join("secrets.yaml.age");
    atrest::save_bundle(&path, bundle(), &[r]).unwrap();
    let key_line = std::fs::read_to_string(&id)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .to_string();

    // MACHINIST_AGE_KEY holds the value itself.
    let env = IdentityEnv {
        key: Some(key_line),
        ..IdentityEnv::default()
    };
    assert_eq!(&atrest::load_bundle(&path, &env).unwrap(), bundle());

    // The user config dir: <config>/machinist/age-identity.txt.
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("machinist")).unwrap();
    std::fs::copy(&id, config.join("machinist/age-identity.txt")).unwrap();
    let env = IdentityEnv {
        config_dir: Some(config),
        ..IdentityEnv::default()
    };
    assert_eq!(&atrest::load_bundle(&path, &env).unwrap(), bundle());

    // Nothing configured: an error that lists where it looked and how to fix it. An identity
    // lying in the project directory is not picked up.
    std::fs::copy(&id, dir.path().join("age-identity.txt")).unwrap();
    let env = IdentityEnv {
        config_dir: Some(dir.path().join("empty")),
        ..IdentityEnv::default()
    };
    let err = atrest::load_bundle(&path, &env).unwrap_err().to_string();
    assert!(err.contains("no age identity found"), "{err}");
    assert!(err.contains("MACHINIST_AGE_KEY_FILE"), "{err}");
}

#[test]
fn missing_or_undecryptable_bundle_names_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (id, _) = identity(dir.path(), "id.txt");
    let (_, other) = identity(dir.path(), "other.txt");
    let path = dir.path().join("secrets.yaml.age");

    let err = atrest::load_bundle(&path, &env_with_file(&id)).unwrap_err();
    assert!(matches!(err, SecretsError::BundleMissing { .. }));
    let msg = err.to_string();
    assert!(msg.contains("secrets.yaml.age"), "{msg}");
    assert!(msg.contains("machinist secrets gen"), "{msg}");
    assert!(
        !path.exists(),
        "nothing is generated in place of a missing bundle"
    );

    atrest::save_bundle(&path, bundle(), &[other]).unwrap();
    let err = atrest::load_bundle(&path, &env_with_file(&id)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, SecretsError::Decrypt { .. }), "{msg}");
    assert!(msg.contains("secrets.yaml.age"), "{msg}");
    assert!(msg.contains("MACHINIST_AGE_KEY_FILE"), "{msg}");
    for secret in bundle().secret_values() {
        assert!(!msg.contains(&secret), "error leaks a secret");
    }
}

#[test]
fn a_bad_recipient_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.yaml.age");
    let err = atrest::save_bundle(&path, bundle(), &["age1notarecipient".into()]).unwrap_err();
    assert!(err.to_string().contains("age1notarecipient"), "{err}");
    assert!(!path.exists());
    let err = atrest::save_bundle(&path, bundle(), &[]).unwrap_err();
    assert!(err.to_string().contains("no recipients"), "{err}");
}

#[test]
fn a_damaged_bundle_is_blamed_on_the_file_not_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity(dir.path(), "me.txt");
    let path = dir.path().join("secrets.yaml.age");
    atrest::save_bundle(&path, bundle(), &[r]).unwrap();
    let good = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    // Truncated: the armor's last lines are gone.
    let truncated = lines[..lines.len() / 2].join("\n") + "\n";
    // Flipped: one base64 character in the payload changed.
    let mut flipped: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let at = flipped.len() - 3;
    let c = if flipped[at].starts_with('A') {
        "B"
    } else {
        "A"
    };
    flipped[at].replace_range(0..1, c);
    let flipped = flipped.join("\n") + "\n";
    for damaged in [truncated, flipped] {
        std::fs::write(&path, damaged).unwrap();
        let err = atrest::load_bundle(&path, &env_with_file(&id)).unwrap_err();
        assert!(matches!(err, SecretsError::Damaged { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("the secrets bundle is damaged"), "{msg}");
        assert!(msg.contains("git checkout -- "), "{msg}");
        assert!(!msg.contains("MACHINIST_AGE_KEY_FILE"), "{msg}");
    }
}
