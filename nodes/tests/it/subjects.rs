//! `subjects.md` is the contract: it and the subject builders must agree, and
//! no library code types a Chorus subject outside the builders.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every `chorus.<service>.v1.<noun>.<verb>` in backticks in subjects.md.
fn documented() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("subjects.md")).unwrap();
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("chorus.") && s.split('.').count() == 5 && !s.contains([' ', '<']))
        .map(str::to_string)
        .collect()
}

#[test]
fn subjects_md_and_the_builders_agree() {
    let code: BTreeSet<String> = chorus_nats::subjects::all().iter().map(|e| e.subject()).collect();
    let doc = documented();
    let undocumented: Vec<_> = code.difference(&doc).collect();
    let unbuilt: Vec<_> = doc.difference(&code).collect();
    assert!(undocumented.is_empty(), "in code, not in subjects.md: {undocumented:?}");
    assert!(unbuilt.is_empty(), "in subjects.md, not in code: {unbuilt:?}");
    let text = std::fs::read_to_string(root().join("subjects.md")).unwrap();
    for e in chorus_nats::subjects::all() {
        assert_eq!(e.subject().split('.').nth(2), Some(chorus_nats::subjects::VERSION));
        assert!(documented_name(&e.name()), "endpoint name {} not in subjects.md", e.name());
        // Its table row names who may call it.
        let row = text.lines().find(|l| l.starts_with(&format!("| `{}`", e.subject()))).expect("a table row");
        let access = row.split('|').nth(3).map(str::trim);
        assert_eq!(access, Some(e.access.as_str()), "access of {} in subjects.md", e.subject());
    }
}

fn documented_name(name: &str) -> bool {
    std::fs::read_to_string(root().join("subjects.md")).unwrap().contains(&format!("`{name}`"))
}

#[test]
fn no_library_code_types_a_subject() {
    let mut offenders = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "tests" | ".git" | "node_modules" | "examples") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && !path.starts_with(root().join("nats/src/subjects")) {
                let text = std::fs::read_to_string(&path).unwrap();
                if types_a_subject(&text) {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "subjects typed outside nats/src/subjects/: {offenders:?}");
}

/// Whether `text` has a string literal starting `"chorus.<service>.v<digit>`.
fn types_a_subject(text: &str) -> bool {
    text.match_indices("\"chorus.").any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let service_end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(rest.len());
        rest[service_end..].starts_with(".v") && rest[service_end + 2..].starts_with(|c: char| c.is_ascii_digit())
    })
}

#[test]
fn the_literal_check_can_fail() {
    assert!(types_a_subject(r#"let s = "chorus.catalog.v1.track.get";"#));
    assert!(!types_a_subject(r#"let s = "chorus.toml";"#));
}
