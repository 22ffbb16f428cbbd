//! The `syscall` source's fields for the filter compiler: the built-in
//! field registry (`engine::fields`) behind the [`FieldSource`] trait.

use super::evttypes::is_event_name;
use super::fields_api::{FieldMeta, FieldSource};
use crate::fields::{self, BoundField, EvalCtx, FieldFlags, Values};

/// libsinsp built-in fields plus falcon's built-in `container.*`/`k8s.*`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SyscallFields;

/// Deepest ancestor an argument-less `proc.a*` check looks at.
pub const MAX_ANCESTORS: u32 = 128;

/// A bound field as the filter uses it.
#[derive(Debug, Clone)]
pub enum SyscallField {
    /// A registry field.
    Field(BoundField),
    /// `proc.aname`, `proc.apid`… without an argument: in a condition,
    /// every ancestor's value (parent first), so that the check holds when
    /// any ancestor satisfies it (libsinsp's semantics; the registry's
    /// argument-less extraction is the output form, one joined string).
    Ancestors(Vec<BoundField>),
}

const ANCESTOR_FIELDS: &[&str] = &[
    "proc.aname",
    "proc.apid",
    "proc.aexe",
    "proc.aexepath",
    "proc.acmdline",
];

impl FieldSource for SyscallFields {
    type Field = SyscallField;
    type Ctx<'a> = EvalCtx<'a>;

    fn bind(&self, name: &str, arg: Option<&str>) -> Result<(SyscallField, FieldMeta), String> {
        // `fd.{c,s,l,r}ip.name` compare the address with resolved names.
        let dns_name = matches!(
            name,
            "fd.cip.name" | "fd.sip.name" | "fd.lip.name" | "fd.rip.name"
        );
        let bound_name = if dns_name {
            &name[..name.len() - 5]
        } else {
            name
        };
        let f = fields::bind(bound_name, arg).map_err(|e| e.to_string())?;
        let info = f.info();
        let meta = FieldMeta {
            ty: info.ty,
            is_list: info.is_list(),
            no_rhs: info.flags.contains(FieldFlags::NO_RHS),
            no_transformer: info.flags.contains(FieldFlags::NO_TRANSFORMER),
            filter_only: info.flags.contains(FieldFlags::FILTER_ONLY),
            ne_all: matches!(info.name, "fd.port" | "fd.proto"),
            dns_name,
        };
        if arg.is_none() && ANCESTOR_FIELDS.contains(&info.name) {
            let levels = (1..=MAX_ANCESTORS)
                .map(|n| fields::bind(info.name, Some(&n.to_string())).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok((SyscallField::Ancestors(levels), meta));
        }
        Ok((SyscallField::Field(f), meta))
    }

    fn extract(field: &SyscallField, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
        match field {
            SyscallField::Field(f) => f.extract(cx, out),
            SyscallField::Ancestors(levels) => {
                for f in levels {
                    if !f.extract(cx, out) {
                        break;
                    }
                }
                !out.is_empty()
            }
        }
    }

    fn event_code(cx: &EvalCtx<'_>) -> u16 {
        cx.event.code()
    }

    fn is_event_name(&self, name: &str) -> bool {
        is_event_name(name)
    }
}
