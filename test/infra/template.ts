import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Synthesized } from './synth.js';

type Json = Synthesized['json'];
type Resource = Json['Resources'][string];

/** The logical id CloudFormation knows a construct (or its default child) by. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.getLogicalId(element);
}

/**
 * An intrinsic rendered as one readable string, so IAM resources can be
 * compared exactly: `{Ref: X}` → `${X}`, `{Fn::GetAtt: [X, Y]}` → `${X.Y}`,
 * joins concatenated, anything else as `fn(args)`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(render).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const [[fn, args]] = Object.entries(value) as [[string, unknown]];
    if (fn === 'Ref') return `\${${String(args)}}`;
    if (fn === 'Fn::GetAtt') return `\${${(args as string[]).join('.')}}`;
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    return `${fn.replace('Fn::', '')}(${(args as unknown[]).map(render).join(',')})`;
  }
  return String(value);
}

/** Every policy statement in the template: AWS::IAM::Policy documents and roles' inline policies, with the roles they apply to. */
export function statements(json: Json): { roles: string[]; statement: Statement }[] {
  const found: { roles: string[]; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(json.Resources)) {
    if (resource.Type === 'AWS::IAM::Policy') {
      const props = resource.Properties as { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } };
      const roles = (props.Roles ?? []).map(render);
      for (const statement of props.PolicyDocument.Statement) found.push({ roles, statement });
    } else if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (resource.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? []) {
        for (const statement of policy.PolicyDocument.Statement) found.push({ roles: [`\${${id}}`], statement });
      }
    }
  }
  return found;
}

/** Every (action, resource, condition) an IAM role is allowed, one string each, sorted (statement merging does not matter). */
export function grantsOf(json: Json, roleId: string): string[] {
  const grants: string[] = [];
  for (const { roles, statement } of statements(json)) {
    if (!roles.includes(`\${${roleId}}`)) continue;
    if (statement.Effect !== 'Allow') throw new Error(`unexpected ${statement.Effect} statement`);
    const condition = statement.Condition ? ` if ${JSON.stringify(renderDeep(statement.Condition))}` : '';
    for (const action of [statement.Action].flat()) {
      for (const target of [statement.Resource].flat()) grants.push(`${action} on ${render(target)}${condition}`);
    }
  }
  return grants.sort();
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function renderDeep(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0]![0] === 'Ref' || entries[0]![0].startsWith('Fn::'))) return render(value);
    return Object.fromEntries(entries.map(([k, v]) => [k, renderDeep(v)]));
  }
  return Array.isArray(value) ? value.map(renderDeep) : value;
}

/** The managed policies attached to a role, by name (`…:policy/service-role/X` → X). */
export function managedPoliciesOf(json: Json, roleId: string): string[] {
  const role = json.Resources[roleId]!;
  return ((role.Properties?.ManagedPolicyArns as unknown[]) ?? []).map((arn) => render(arn).split('/').pop()!).sort();
}

/** The role logical id behind `Role: {Fn::GetAtt: [id, Arn]}` or `TaskRoleArn`. */
export function roleIdOf(resource: Resource, property = 'Role'): string {
  const ref = resource.Properties?.[property] as { 'Fn::GetAtt': [string, string] };
  return ref['Fn::GetAtt'][0];
}

export function resourcesOfType(json: Json, type: string): [string, Resource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/**
 * Logical ids each resource depends on (Ref, GetAtt, Fn::Sub names, DependsOn),
 * for the cycle check CloudFormation would otherwise do at deploy time.
 */
export function dependencies(json: Json): Map<string, Set<string>> {
  const ids = new Set(Object.keys(json.Resources));
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(json.Resources)) {
    const deps = new Set<string>([resource.DependsOn ?? []].flat());
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (value === null || typeof value !== 'object') return;
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && ids.has(inner)) deps.add(inner);
        else if (key === 'Fn::GetAtt') deps.add((inner as string[])[0]!);
        else if (key === 'Fn::Sub') {
          const text = Array.isArray(inner) ? String(inner[0]) : String(inner);
          for (const m of text.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) if (ids.has(m[1]!)) deps.add(m[1]!);
          if (Array.isArray(inner)) walk(inner[1]);
        } else walk(inner);
      }
    };
    walk(resource.Properties ?? {});
    graph.set(id, deps);
  }
  return graph;
}

/** A dependency cycle (as a list of ids), or null. */
export function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of graph.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of graph.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return null;
}

/** The one resource of a type (matching `predicate`); throws unless there is exactly one. */
export function single(json: Json, type: string, predicate: (entry: [string, Resource]) => boolean = () => true): [string, Resource] {
  const found = resourcesOfType(json, type).filter(predicate);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}
