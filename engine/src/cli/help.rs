//! `falcon --help`, generated from [`FLAGS`].

use super::{Arity, Category, FLAGS};

/// Column where the flag descriptions start.
const DOC_COL: usize = 32;

fn names(f: &dyn super::Flag) -> String {
    let mut s = String::from("  ");
    match (f.short(), f.long()) {
        (Some(c), Some(l)) => s.push_str(&format!("-{c}, --{l}")),
        (Some(c), None) => s.push_str(&format!("-{c}")),
        (None, Some(l)) => s.push_str(&format!("    --{l}")),
        (None, None) => {}
    }
    match f.arity() {
        Arity::Switch => {}
        Arity::Value(v) => s.push_str(&format!(" <{v}>")),
        Arity::Optional(v) => s.push_str(&format!(" [<{v}>]")),
    }
    s
}

/// The whole help text, ending in a newline.
pub fn help_text() -> String {
    let mut out = format!(
        "falcon {}: a Falco-compatible runtime security engine\n\
         Usage: falcon [options]\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut cats: Vec<Category> = FLAGS.iter().map(|f| f.category()).collect();
    cats.sort();
    cats.dedup();
    for cat in cats {
        out.push_str(&format!("\n{}:\n", cat.heading()));
        for f in FLAGS.iter().filter(|f| f.category() == cat) {
            let n = names(*f);
            if n.len() + 2 > DOC_COL {
                out.push_str(&format!("{n}\n{:DOC_COL$}{}\n", "", f.doc()));
            } else {
                out.push_str(&format!("{n:DOC_COL$}{}\n", f.doc()));
            }
        }
    }
    out.push_str(
        "\nExamples:\n\
         \x20 falcon -e capture.scap -r rules.yaml    replay a capture through a rules file\n\
         \x20 falcon -V rules.yaml                    validate a rules file\n\
         \x20 falcon -o json_output=true -L           list the rules as JSON\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_in_the_help() {
        let h = help_text();
        for f in FLAGS {
            if let Some(l) = f.long() {
                assert!(h.contains(&format!("--{l}")), "--{l} missing");
            }
            if let Some(c) = f.short() {
                assert!(h.contains(&format!("-{c}")), "-{c} missing");
            }
            assert!(h.contains(f.doc()));
        }
    }
}
