//! The condition parser accepts and rejects exactly the cases of libs'
//! `filter_parser.ut.cpp` (../shared/corpora/condition_syntax_cases.jsonl);
//! each accepted case must also parse with blanks, newlines and tabs around it.

use falcon_engine::filter::parse;

const CASES: &str = "../../shared/corpora/condition_syntax_cases.jsonl";

fn cases() -> Vec<(String, bool)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CASES);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid JSON line");
            (
                v["condition"].as_str().expect("condition").to_string(),
                v["accept"].as_bool().expect("accept"),
            )
        })
        .collect()
}

#[test]
fn corpus_accept_reject() {
    let cases = cases();
    assert_eq!(cases.len(), 526);
    let mut failures = Vec::new();
    let (mut accepted, mut rejected, mut padded) = (0, 0, 0);
    for (cond, accept) in &cases {
        let r = parse(cond);
        if r.is_ok() != *accept {
            failures.push(format!("{cond:?}: expected accept={accept}, got {r:?}"));
            continue;
        }
        if !*accept {
            rejected += 1;
            continue;
        }
        accepted += 1;
        for pad in [" ", "\n", "\t", " \n\t ", "\r\n"] {
            for wrapped in [
                format!("{pad}{cond}"),
                format!("{cond}{pad}"),
                format!("{pad}{cond}{pad}"),
            ] {
                match parse(&wrapped) {
                    Ok(_) => padded += 1,
                    Err(e) => failures.push(format!("{wrapped:?}: {e}")),
                }
            }
        }
    }
    println!(
        "condition corpus: {} cases, {accepted} accepted, {rejected} rejected, {padded} padded variants parsed, {} failures",
        cases.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
