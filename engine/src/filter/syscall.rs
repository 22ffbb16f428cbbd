//! The `syscall` source's fields for the filter compiler: the built-in
//! field registry (`engine::fields`) behind the [`FieldSource`] trait.

use super::evttypes::is_event_name;
use super::fields_api::{FieldMeta, FieldSource};
use crate::fields::{self, BoundField, EvalCtx, FieldFlags, Values};

/// libsinsp built-in fields plus falcon's built-in `container.*`/`k8s.*`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SyscallFields;

impl FieldSource for SyscallFields {
    type Field = BoundField;
    type Ctx<'a> = EvalCtx<'a>;

    fn bind(&self, name: &str, arg: Option<&str>) -> Result<(BoundField, FieldMeta), String> {
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
        Ok((f, meta))
    }

    fn extract(field: &BoundField, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
        field.extract(cx, out)
    }

    fn event_code(cx: &EvalCtx<'_>) -> u16 {
        cx.event.code()
    }

    fn is_event_name(&self, name: &str) -> bool {
        is_event_name(name)
    }
}
