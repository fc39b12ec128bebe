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

/// Every `snake_case` code in backticks in the errors column of an endpoint
/// row, and in the shared error tables (`| status | code | when |`).
fn documented_codes() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("subjects.md")).unwrap();
    let is_code = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            && s.contains('_')
            && !s.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    let mut codes = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_start();
        let cells: Vec<&str> = line.split('|').collect();
        let errors = if line.starts_with("| `chorus.") && cells.len() > 7 {
            cells[6]
        } else if cells.len() >= 4 && cells[1].trim().chars().all(|c| c.is_ascii_digit()) && !cells[1].trim().is_empty()
        {
            // A shared table: | status | `code` | when |
            cells[2]
        } else {
            continue;
        };
        // Parentheses hold remarks (`retry_after_ms` is a body field), not codes.
        let mut outside = String::new();
        let mut depth = 0usize;
        for c in errors.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                c if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        codes.extend(outside.split('`').skip(1).step_by(2).filter(|s| is_code(s)).map(str::to_string));
    }
    codes
}

#[test]
fn error_codes_in_code_and_subjects_md_agree() {
    let code: BTreeSet<String> = chorus_nats::errors::all().into_iter().map(str::to_string).collect();
    let doc = documented_codes();
    let text = std::fs::read_to_string(root().join("subjects.md")).unwrap();
    let undocumented: Vec<_> = code.iter().filter(|c| !text.contains(&format!("`{c}`"))).collect();
    let unknown: Vec<_> = doc.difference(&code).collect();
    assert!(undocumented.is_empty(), "error codes in code, not in subjects.md: {undocumented:?}");
    assert!(unknown.is_empty(), "error codes in subjects.md's error columns, not in chorus_nats::errors: {unknown:?}");
}

#[test]
fn no_library_code_types_an_error_code() {
    let mut offenders = Vec::new();
    let mut stack = vec![root().join("actors"), root().join("nats/src"), root().join("nodes/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "tests" | "errors") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests may spell the codes they expect.
                let text = text.split("#[cfg(test)]").next().unwrap_or_default();
                if types_an_error_code(text) {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "error codes typed as literals outside chorus_nats::errors: {offenders:?}");
}

/// Whether `text` builds an error with a literal code (`ServiceError::x("code"`, `new(Status::X, "code"`).
fn types_an_error_code(text: &str) -> bool {
    text.match_indices("ServiceError::").any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let Some(open) = rest.find('(') else { return false };
        let args = rest[open + 1..].trim_start();
        let args = match rest[..open].trim() {
            "new" => args.split_once(',').map_or("", |(_, a)| a.trim_start()),
            _ => args,
        };
        args.starts_with('"')
    })
}

#[test]
fn the_error_code_check_can_fail() {
    assert!(types_an_error_code(r#"ServiceError::not_found("track_not_found", "x")"#));
    assert!(types_an_error_code(r#"ServiceError::new(Status::Forbidden, "account_disabled", "x")"#));
    assert!(!types_an_error_code(r#"ServiceError::not_found(codes::TRACK_NOT_FOUND, "x")"#));
}
