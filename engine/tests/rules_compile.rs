//! Compiled conditions of small rules files: list substitution, macro
//! substitution and append/override, exceptions turned into conditions,
//! warnings and errors with their codes, plus the `-V` text and JSON shape.

use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, LoadResult, Priority, SourceSet, load_contents};

fn load(yaml: &str) -> LoadResult<SyscallFields> {
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    load_contents(
        vec![("rules.yaml".to_string(), Ok(yaml.to_string()))],
        &sources,
        &LoadOptions::default(),
    )
}

fn compiled(yaml: &str, rule: &str) -> String {
    let res = load(yaml);
    assert!(res.successful(), "{}", res.validation_text());
    let rs = res.into_ruleset(Priority::Debug).expect("compiled");
    rs.rules()
        .iter()
        .find(|r| r.name == rule)
        .map(|r| r.condition_compiled.clone())
        .expect("rule present")
}

const HEAD: &str = r#"
- list: my_shells
  items: [bash, "my sh"]
- macro: is_open
  condition: evt.type = open
"#;

#[test]
fn lists_and_macros() {
    let y = format!(
        "{HEAD}
- rule: r1
  desc: d
  condition: is_open and proc.name in (my_shells)
  output: \"%proc.name\"
  priority: INFO
"
    );
    assert_eq!(
        compiled(&y, "r1"),
        "(evt.type = open and proc.name in (bash, \"my sh\"))"
    );
}

#[test]
fn macro_append_and_override() {
    let y = r#"
- macro: m
  condition: evt.type in (open, openat)
- macro: m
  condition: or evt.type = openat2
  override:
    condition: append
- rule: r
  desc: d
  condition: m and proc.name = cat
  output: x
  priority: WARNING
- rule: r
  condition: or proc.name = dog
  override:
    condition: append
- rule: r
  priority: debug
  override:
    priority: replace
"#;
    let res = load(y);
    assert!(res.successful(), "{}", res.validation_text());
    let rs = res.into_ruleset(Priority::Debug).unwrap();
    let r = &rs.rules()[0];
    assert_eq!(
        r.condition_compiled,
        "(((evt.type in (open, openat) or evt.type = openat2) and proc.name = cat) or proc.name = dog)"
    );
    assert_eq!(r.priority, Priority::Debug);
    assert_eq!(r.condition, "m and proc.name = cat or proc.name = dog");
}

#[test]
fn exceptions_become_conditions() {
    let y = format!(
        r#"{HEAD}
- rule: r
  desc: d
  condition: evt.type = execve
  output: x
  priority: ERROR
  exceptions:
    - name: e1
      fields: [proc.name, fd.name]
      comps: [=, startswith]
      values:
        - [bash, /etc]
        - [zsh, "/a b"]
    - name: e2
      fields: proc.pname
      values: [sshd, "x y"]
    - name: e3
      fields: [proc.name]
      comps: [in]
      values:
        - [my_shells]
"#
    );
    assert_eq!(
        compiled(&y, "r"),
        "(evt.type = execve and not ((proc.name = bash and fd.name startswith /etc) or (proc.name = zsh and fd.name startswith \"/a b\")) and not proc.pname in (sshd, \"x y\") and not proc.name in (bash, \"my sh\"))"
    );
}

#[test]
fn errors_and_warnings_have_codes_and_contexts() {
    let y = r#"- rule: r
  desc: d
  condition: evt.type = open and nosuchmacro
  output: x
  priority: INFO
"#;
    let res = load(y);
    assert!(!res.successful());
    let e = &res.files[0].errors[0];
    assert_eq!(e.code.code(), "LOAD_ERR_VALIDATE");
    assert_eq!(e.message, "Undefined macro 'nosuchmacro' used in filter.");
    let text = res.validation_text();
    assert!(text.starts_with("rules.yaml: Invalid\n1 Errors:\nIn rules content: (rules.yaml:0:0)\n    rule 'r': (rules.yaml:0:2)\n    condition expression: (\"evt.type = open a...\":1:23)\n"), "{text}");
    assert!(text.ends_with("LOAD_ERR_VALIDATE (Error validating rule/macro/list/exception objects): Undefined macro 'nosuchmacro' used in filter.\n"), "{text}");

    let y = r#"- macro: unused
  condition: proc.name = x
- rule: r
  desc: d
  condition: evt.type = open and proc.name = proc.pname and fd.name regex "/etc.*"
  output: x
  priority: INFO
"#;
    let res = load(y);
    assert!(res.successful());
    let codes: Vec<_> = res.files[0]
        .warnings
        .iter()
        .map(|w| (w.code.code(), w.message.as_str()))
        .collect();
    assert!(
        codes.contains(&(
            "LOAD_COMPILE_CONDITION",
            "'proc.pname' may be a valid field misused as a const string value"
        )),
        "{codes:?}"
    );
    assert!(codes.contains(&("LOAD_COMPILE_CONDITION", "regex check with '/etc.*' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'")), "{codes:?}");
    assert!(
        codes.contains(&(
            "LOAD_UNUSED_MACRO",
            "Macro not referred to by any other rule/macro"
        )),
        "{codes:?}"
    );
    let json = res.load_results_json();
    let w = &json[0]["warnings"][0];
    let keys: Vec<_> = w.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["code", "codedesc", "context", "message"]);
    assert_eq!(json[0]["successful"], true);
}

#[test]
fn type_errors_and_unknown_fields() {
    let rule = |cond: &str| {
        format!("- rule: r\n  desc: d\n  condition: {cond}\n  output: x\n  priority: INFO\n")
    };
    let cases = [
        (
            "proc.pid contains 1",
            "filter error: 'contains' operator not supported for numeric filters",
        ),
        (
            "proc.name bcontains 6161",
            "filter error: 'bcontains' operator not supported for string filters",
        ),
        (
            "proc.name pmatch val(proc.pname)",
            "operator 'pmatch' doesn't support right-hand side fields",
        ),
        (
            "proc.aname = val(proc.pname)",
            "field 'proc.aname' doesn't support right-hand side fields",
        ),
        (
            "proc.nobody = 1",
            "filter_check called with nonexistent field proc.nobody",
        ),
        ("evt.type = nosuchevent", "unknown event type nosuchevent"),
        ("proc.pid = 0x10", "0x10 is not a valid number"),
    ];
    for (cond, msg) in cases {
        let res = load(&rule(cond));
        let e = &res.files[0].errors[0];
        assert_eq!(
            (e.code.code(), e.message.as_str()),
            ("LOAD_ERR_COMPILE_CONDITION", msg),
            "{cond}"
        );
    }
}

#[test]
fn too_many_event_types_warns() {
    let y = "- rule: r\n  desc: d\n  condition: proc.name = x\n  output: x\n  priority: INFO\n";
    let res = load(y);
    let w = &res.files[0].warnings;
    assert!(
        w.iter().any(|w| w.code.code() == "LOAD_NO_EVTTYPE"),
        "{w:?}"
    );
    let y = "- rule: r\n  desc: d\n  condition: proc.name = x\n  output: x\n  priority: INFO\n  warn_evttypes: false\n";
    assert!(load(y).files[0].warnings.is_empty());
}

#[test]
fn hostile_nesting_is_an_error() {
    let deep = format!("{}evt.type = open{}", "(".repeat(3000), ")".repeat(3000));
    let y = format!("- rule: r\n  desc: d\n  condition: {deep}\n  output: x\n  priority: INFO\n");
    let res = load(&y);
    let e = &res.files[0].errors[0];
    assert_eq!(e.message, "exceeded max depth limit of 1000");
    // 40 macros each using the previous one twice: 2^40 nodes if expanded
    let mut y = String::from("- macro: m0\n  condition: evt.type = open\n");
    for i in 1..40 {
        y += &format!("- macro: m{i}\n  condition: m{p} or m{p}\n", p = i - 1);
    }
    y += "- rule: r\n  desc: d\n  condition: m39\n  output: x\n  priority: INFO\n";
    let res = load(&y);
    let e = &res.files[0].errors[0];
    assert!(
        e.message
            .starts_with("condition too large after macro expansion"),
        "{}",
        e.message
    );
}

#[test]
fn outputs_are_validated() {
    let rule = |out: &str| {
        format!(
            "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"{out}\"\n  priority: INFO\n"
        )
    };
    assert!(
        load(&rule(
            "file=%fd.name proc=%proc.aname[2] low=%tolower(proc.name) %20proc.name)"
        ))
        .successful()
    );
    for (out, msg) in [
        ("x %nosuch", "unknown filter: unexpected token after '"),
        ("x %fd.net", "unknown filter: unexpected token after '"),
        (
            "x %",
            "invalid formatting syntax: formatting cannot end with a %",
        ),
    ] {
        let res = load(&rule(out));
        let e = &res.files[0].errors[0];
        assert_eq!(
            (e.code.code(), e.message.as_str()),
            ("LOAD_ERR_COMPILE_OUTPUT", msg),
            "{out}"
        );
    }
    let res = load(&rule("x %proc.namex"));
    assert!(
        res.successful(),
        "a token is cut back until a field compiles"
    );
}
