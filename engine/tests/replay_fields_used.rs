//! Every field the upstream stable rules use (`fields_used.tsv`, stable
//! rows) is registered with the type the rules expect, and binds.

use falcon_engine::fields;

#[test]
fn stable_rule_fields_are_registered_with_matching_types() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/research/fields_used.tsv"
    );
    let tsv = std::fs::read_to_string(path).unwrap();
    let mut n = 0;
    let mut missing = Vec::new();
    for line in tsv.lines().filter(|l| l.starts_with("stable\t")) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (name, ty, args) = (cols[1], cols[2], cols[5]);
        let (info, _) = fields::resolve(name).unwrap_or_else(|| panic!("{name} not registered"));
        let want = ty.split(' ').next().unwrap();
        assert_eq!(info.ty.falco_name(), want, "{name}");
        let arg = args.split(',').next().filter(|a| !a.is_empty());
        match fields::bind(name, arg) {
            Ok(_) => {}
            Err(fields::FieldError::NotImplemented(f)) => missing.push(f),
            Err(e) => panic!("{name}: {e}"),
        }
        n += 1;
    }
    assert_eq!(n, 64);
    assert!(missing.is_empty(), "not extractable: {missing:?}");
}

/// Lists the registered fields falcon cannot extract (printed, for the
/// record; the count may only go down).
#[test]
fn not_extractable_fields_are_few() {
    let mut missing = Vec::new();
    for f in fields::registry() {
        let arg = match f.arg.presence {
            fields::ArgPresence::Required => Some(match f.arg.kind {
                fields::ArgKind::Key => "x",
                _ => "0",
            }),
            _ => None,
        };
        if let Err(fields::FieldError::NotImplemented(n)) = fields::bind(f.name, arg) {
            missing.push(n);
        }
    }
    println!(
        "{} of {} fields not extractable: {}",
        missing.len(),
        fields::registry().count(),
        missing.join(" ")
    );
    assert!(missing.len() <= 27, "{missing:?}");
}
