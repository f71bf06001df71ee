import SSHConfig from 'ssh-config';
import type { SshSettings } from './schema.js';

/** What an OpenSSH client configuration says of a host, in our settings' terms. */
export interface SshConfigHost {
  hostName?: string;
  settings: SshSettings;
}

/**
 * Reads an OpenSSH client configuration (~/.ssh/config) with a maintained parser and answers, per
 * host alias, what ssh would use: HostName, Port, User, IdentityFile (the first), ProxyJump
 * (the first hop). First match wins per keyword, wildcards and negations as ssh applies them.
 */
export function readSshConfig(text: string): (alias: string) => SshConfigHost {
  const config = SSHConfig.parse(text);
  return (alias) => {
    const computed = config.compute(alias) as Record<string, string | string[] | undefined>;
    const first = (key: string) => {
      const value = computed[key];
      return Array.isArray(value) ? value[0] : value;
    };
    const port = first('Port');
    const jump = first('ProxyJump')?.split(',')[0]?.trim();
    const hostName = first('HostName');
    const settings: SshSettings = {
      ...(first('User') ? { user: first('User') } : {}),
      ...(port && /^\d+$/.test(port) && Number(port) <= 65535 ? { port: Number(port) } : {}),
      ...(first('IdentityFile') ? { private_key_file: first('IdentityFile') } : {}),
      ...(jump && jump !== 'none' ? { jump_host: jump.replace(/^ssh:\/\//, '') } : {}),
    };
    // %h in HostName is the alias itself (HostName %h.example.com).
    return { ...(hostName ? { hostName: hostName.replace(/%h/g, alias) } : {}), settings };
  };
}
