export { type ApiConnection, listAll } from './client.ts';
export { type ExecConfig, runExecCredential } from './exec.ts';
export { type KubeconfigContext, loadConnection, parseKubeconfig } from './kubeconfig.ts';
