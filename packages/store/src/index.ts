export { type KubernetesStore, kubernetesStore, parseModelAttestation } from './kubernetes.ts';
