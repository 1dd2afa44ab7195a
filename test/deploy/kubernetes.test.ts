/**
 * The Kubernetes manifests, rendered by kustomize and checked offline against the official
 * schemas (deploy/kubernetes/check/manifests.ts, also `npm run deploy:check` in CI); a broken field
 * fails either check; and what the manifests promise about the services holds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CREATED_PARTITIONS, PROCESSOR_GROUP, topicsFor } from '@orders/core';
import {
  KUSTOMIZATIONS,
  problemsOf,
  render,
  schemaProblems,
  strictProblems,
  type KubernetesObject,
} from '../../deploy/kubernetes/check/manifests.ts';

const rendered = new Map<string, KubernetesObject[]>();
beforeAll(() => {
  for (const kustomization of KUSTOMIZATIONS) rendered.set(kustomization, render(kustomization));
}, 300_000);

const example = () => structuredClone(rendered.get('overlays/example')!);
// The rendered objects are read field by field here; their shapes are what the schemas check.
type Rendered = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const find = (objects: KubernetesObject[], kind: string, name: string): Rendered => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind}/${name}`);
  return found;
};

describe('the Kubernetes manifests', () => {
  it('render, and every object is valid against its official schema, strictly', async () => {
    for (const [kustomization, objects] of rendered) {
      expect(objects.length, kustomization).toBeGreaterThan(5);
      expect(await problemsOf(objects), kustomization).toEqual([]);
    }
  }, 60_000);

  it('fail the check with replicas: "two"', async () => {
    const server = find(example(), 'Deployment', 'orders-server');
    server.spec.replicas = 'two';
    expect(await schemaProblems(server)).toEqual([expect.stringMatching(/spec\/replicas must be integer/)]);
  });

  it('fail the strict check with a misspelt key, which the schema alone lets through', async () => {
    const server = find(example(), 'Deployment', 'orders-server');
    const container = server.spec.template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    expect(await schemaProblems(server)).toEqual([]);
    expect(strictProblems([server])).toEqual([expect.stringMatching(/Deployment\/orders-server: .*readinesProbe/)]);
  }, 60_000);

  it('fail the check with a KEDA field of the wrong type', async () => {
    const scaled = find(example(), 'ScaledObject', 'orders-processor');
    scaled.spec.maxReplicaCount = 'six';
    expect((await schemaProblems(scaled)).join()).toMatch(/maxReplicaCount/);
  });

  it('never run more processors than orders.created has partitions', () => {
    expect(find(rendered.get('base')!, 'HorizontalPodAutoscaler', 'orders-processor').spec.maxReplicas).toBe(
      CREATED_PARTITIONS,
    );
    const scaled = find(example(), 'ScaledObject', 'orders-processor');
    expect(scaled.spec.maxReplicaCount).toBe(CREATED_PARTITIONS);
    expect(scaled.spec.triggers[0].metadata).toMatchObject({
      consumerGroup: PROCESSOR_GROUP,
      topic: topicsFor().created.name,
      allowIdleConsumers: 'false',
    });
    // With KEDA, its HPA is the only one on the processor.
    expect(example().some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'orders-processor')).toBe(
      false,
    );
  });

  it("give the server time to drain: the preStop wait, the 30 s for the calls in hand, and the stores' closing", () => {
    const pod = find(example(), 'Deployment', 'orders-server').spec.template.spec;
    const preStop = pod.containers[0].lifecycle.preStop.sleep.seconds as number;
    expect(preStop).toBeGreaterThanOrEqual(5);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + 30 + 10);
  });

  it('run both services as non-root on a read-only root, in production mode, probed on /ready and /health', () => {
    const objects = example();
    const config = find(objects, 'ConfigMap', 'orders-config');
    expect(config.data.NODE_ENV).toBe('production');
    for (const [name, port] of [
      ['orders-server', 'http'],
      ['orders-processor', 'http'],
    ] as const) {
      const pod = find(objects, 'Deployment', name).spec.template.spec;
      const container = pod.containers[0];
      expect(pod.securityContext.runAsNonRoot, name).toBe(true);
      expect(container.securityContext.readOnlyRootFilesystem, name).toBe(true);
      expect(container.readinessProbe.httpGet, name).toEqual({ path: '/ready', port });
      expect(container.livenessProbe.httpGet, name).toEqual({ path: '/health', port });
      expect(
        container.envFrom.map((from: { configMapRef?: object }) => Object.keys(from)[0]),
        name,
      ).toEqual(['configMapRef', 'secretRef']);
    }
    const processor = find(objects, 'Deployment', 'orders-processor').spec.template.spec.containers[0];
    expect(processor.ports).toEqual([{ name: 'http', containerPort: 4001 }]);
  });

  it('expose the API through the Service and the Ingress, but not the metrics port', () => {
    const objects = example();
    const service = find(objects, 'Service', 'orders-server');
    expect(service.spec.ports.map((port: { targetPort: string }) => port.targetPort)).toEqual(['http']);
    const ingress = find(objects, 'Ingress', 'orders-server');
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    });
  });
});
