/**
 * What the finalizer accepts in its saved plan before applying it: every change is an import of one of its roles,
 * or an in-place update of nothing but `assume_role_policy` of one of them. Anything else (a create, a replace, a
 * destroy, another attribute, another resource) is refused, and nothing is applied.
 *
 * The check is a Terraform expression, evaluated by `terraform console` over `terraform show -json` of the plan:
 * the finalizer needs no jq, Python or Node. It runs in an empty directory (no configuration, no provider) with
 * `plan.json` and `vars.json` (the module's variables) beside it, and prints `"ok"` or the refused changes.
 * Any evaluation error fails the run too: the check fails closed.
 */
import { TRUST_RESOURCE } from './module';
import { hclString } from '../terraform-expr';

export const PLAN_CHECK_OK = '"ok"';

/** Compared as joined strings: HCL's == is false between a list and a tuple of the same strings. */
/** Attribute names whose value differs between `before` and `after` of a resource change (HCL, `rc` in scope). */
const CHANGED =
  'sort([for k in distinct(concat(try(keys(rc.change.before), []), try(keys(rc.change.after), []), try(keys(rc.change.after_unknown), []))) : k if try(rc.change.before[k], null) != try(rc.change.after[k], null) || try(rc.change.after_unknown[k], false) == true])';

const OURS = `rc.mode == "managed" && rc.type == ${hclString(TRUST_RESOURCE.type)} && rc.name == ${hclString(TRUST_RESOURCE.name)} && contains(keys(v.policies), try(rc.index, ""))`;

const ACCEPTED = `${OURS} && (join("+", rc.change.actions) == "no-op" || (join("+", rc.change.actions) == "update" && join(",", ${CHANGED}) == "assume_role_policy"))`;

const DESCRIBE = `format("%s: %s%s", try(rc.index, rc.address), join("+", rc.change.actions), try(length(${CHANGED}) > 0, false) ? format(" (changes %s)", join(", ", ${CHANGED})) : "")`;

/**
 * One line for `terraform console`. `p`/`v` are bound with a one-element for expression: console has no locals.
 */
export const PLAN_CHECK_EXPRESSION = `one([for p in [jsondecode(file("plan.json"))] : one([for v in [jsondecode(file("vars.json"))] : length([for rc in try(p.resource_changes, []) : rc if !try(${ACCEPTED}, false)]) == 0 ? "ok" : join("; ", [for rc in try(p.resource_changes, []) : try(${DESCRIBE}, try(rc.address, "unreadable change")) if !try(${ACCEPTED}, false)])])])`;
