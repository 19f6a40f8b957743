// The Kubernetes side of a command: a kubeconfig and context chosen as kubectl chooses them, and
// this installation's controller id, learnt the way the controller learns it.
import { KubeConfig } from '@kubernetes/client-node';
import { defaultControllerId } from '../../kube/controller-id.ts';
import { CliError } from './exit.ts';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
}

/** --kubeconfig, else $KUBECONFIG or ~/.kube/config; --context, else the file's current context. */
export function loadKubeConfig(options: KubeOptions): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new CliError(`cannot read the kubeconfig ${options.kubeconfig ?? '(default)'}: ${(err as Error).message}`, { cause: err });
  }
  if (options.context !== undefined) {
    const names = kc.getContexts().map((context) => context.name);
    if (!names.includes(options.context)) {
      throw new CliError(`the kubeconfig has no context ${options.context}: use one of ${names.join(', ') || '(none)'}`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new CliError('the kubeconfig names no current cluster: pass --context, or --kubeconfig with another file');
  return kc;
}

export function describeContext(kc: KubeConfig): string {
  return kc.getCurrentContext() || (kc.getCurrentCluster()?.server ?? 'the default cluster');
}

// The controller's own rule (config.ts): the id is an STS session name, so no rewriting.
const CONTROLLER_ID = /^[\w+=,.@-]{1,64}$/;

export interface ControllerIdOptions extends KubeOptions {
  controllerId?: string;
}

/** --controller-id, else derived from the management cluster's kube-system namespace as the controller does. */
export async function resolveControllerId(options: ControllerIdOptions): Promise<string> {
  if (options.controllerId !== undefined) {
    if (!CONTROLLER_ID.test(options.controllerId)) {
      throw new CliError(`--controller-id ${options.controllerId} must be 1 to 64 letters, digits or +=,.@_-, as the controller's is`);
    }
    return options.controllerId;
  }
  const kc = loadKubeConfig(options);
  try {
    return await defaultControllerId(kc);
  } catch (err) {
    throw new CliError(
      `${(err as Error).message} (context ${describeContext(kc)}; point --kubeconfig/--context at the controller's management cluster, ` +
        'or pass the --controller-id it runs with)',
      { cause: err },
    );
  }
}
