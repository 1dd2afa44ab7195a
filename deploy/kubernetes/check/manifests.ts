/**
 * The Kubernetes manifests rendered and checked offline, as CI does (`npm run deploy:check`):
 * each kustomization under deploy/kubernetes rendered by kustomize (kustomize.sh), and every
 * object it renders checked two ways:
 *
 * - against the official schema of its kind: the models of the npm packages `kubernetes-models`
 *   and `@kubernetes-models/keda`, generated from Kubernetes' OpenAPI and KEDA's CRDs, whose
 *   `validate()` says what is missing or of the wrong type (`replicas: "two"`);
 * - strictly, for keys no schema knows (a misspelt `readinesProbe` is otherwise ignored by the
 *   API server's lenient decoding and the probe silently missing): the object is type-checked by
 *   TypeScript against the same packages' declarations, whose excess-property check names it.
 *
 * An object of a kind without a model fails: nothing is rendered that was not checked.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export const kubernetesRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(kubernetesRoot, '../..');

/** The kustomizations CI renders: the base alone, and the example overlay (with the KEDA component). */
export const KUSTOMIZATIONS = ['base', 'overlays/example'] as const;

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `kustomize build` of a folder under deploy/kubernetes, as objects. */
export function render(kustomization: string): KubernetesObject[] {
  const built = spawnSync('sh', [path.join(kubernetesRoot, 'check/kustomize.sh'), 'build', kustomization], {
    cwd: kubernetesRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (built.status !== 0) throw new Error(`kustomize build ${kustomization} failed:\n${built.stderr}`);
  return parseAllDocuments(built.stdout).map((document) => document.toJS() as KubernetesObject);
}

/** The module of a kind's model: `apps/v1` + Deployment → kubernetes-models/apps/v1/Deployment. */
function modelModule({ apiVersion, kind }: KubernetesObject): string {
  if (/^(eventing\.)?keda\.sh\//.test(apiVersion)) return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const label = (object: KubernetesObject) => `${object.kind}/${object.metadata?.name ?? '?'}`;

/** What the schema of its kind finds wrong with `object`: empty when it is valid. */
export async function schemaProblems(object: KubernetesObject): Promise<string[]> {
  let Model: new (data: object) => { validate(): void };
  try {
    const module = (await import(modelModule(object))) as Record<string, typeof Model>;
    Model = module[object.kind]!;
  } catch {
    return [`${label(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${label(object)}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * Keys no schema knows, in every object at once (one TypeScript program): each object is written
 * as a literal that `satisfies` its model's interface, and the excess-property errors are read back.
 */
export function strictProblems(objects: readonly KubernetesObject[]): string[] {
  // Inside the repository, so that the packages resolve from its node_modules.
  mkdirSync(path.join(repoRoot, '.tools'), { recursive: true });
  const dir = mkdtempSync(path.join(repoRoot, '.tools', 'strict-'));
  try {
    const file = path.join(dir, 'objects.ts');
    const lines = objects.map(
      (object, i) =>
        `import type { I${object.kind} as T${i} } from '${modelModule(object)}';\n` +
        `export const o${i} = ${JSON.stringify(object)} satisfies T${i};`,
    );
    writeFileSync(file, lines.join('\n'));
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? -1;
      const object = objects[Math.floor(line / 2)];
      return `${object ? label(object) : 'objects'}: ${message.split('\n').at(-1)}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every problem of every object, both checks. */
export async function problemsOf(objects: readonly KubernetesObject[]): Promise<string[]> {
  const schema = (await Promise.all(objects.map(schemaProblems))).flat();
  return [...schema, ...strictProblems(objects)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const kustomization of KUSTOMIZATIONS) {
    const objects = render(kustomization);
    const problems = await problemsOf(objects);
    failed ||= problems.length > 0;
    console.log(`${kustomization}: ${objects.length} objects, ${problems.length} problems`);
    for (const problem of problems) console.log(`  ${problem}`);
  }
  process.exit(failed ? 1 : 0);
}
