// snmpd.conf for the agent side: read-only, only the system and interface subtrees, only to the allowed networks.
import { cidrProblem } from '../../kit/ipv4-network.ts';

export interface AgentSettings {
  port: number;
  community: string;
  subnets: string[];
  /** sysName: the node's name as the community knows it, not the machine's (a lab host shares the machine's). */
  nodeName: string;
}

/** What graph servers read: system (sysName, sysUpTime), interfaces (IF-MIB ifTable) and ifXTable (64-bit counters). */
const VIEW_SUBTREES = ['.1.3.6.1.2.1.1', '.1.3.6.1.2.1.2', '.1.3.6.1.2.1.31'];

export class AgentSettingError extends Error {
  override name = 'AgentSettingError';
}

/** Every value is checked again here: the file is root's, and a newline in a community would add a directive. */
export function snmpdConfig(settings: AgentSettings): string {
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) throw new AgentSettingError(`${settings.port} is not a port`);
  if (!/^[A-Za-z0-9._~-]{1,32}$/.test(settings.community)) throw new AgentSettingError('the community has characters snmpd.conf cannot hold');
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(settings.nodeName)) throw new AgentSettingError(`${settings.nodeName} is not a host name`);
  for (const subnet of settings.subnets) {
    const problem = cidrProblem(subnet);
    if (problem !== null) throw new AgentSettingError(problem);
  }
  const sources = ['127.0.0.1', ...settings.subnets];
  return [
    "# Written by Cloudy's network graphs module (snpservices); it is rewritten at each change of its settings.",
    // TCP too: the supervisor's readiness check and discovery's check that the published port answers are TCP.
    `agentaddress udp:${settings.port},tcp:${settings.port}`,
    ...VIEW_SUBTREES.map((subtree) => `view cloudy included ${subtree}`),
    // Read-only, and no other community, user or write access exists: nothing else in this file grants any.
    ...sources.map((source) => `rocommunity ${settings.community} ${source} -V cloudy`),
    `sysname ${settings.nodeName}`,
    'syslocation Cloudy community node',
    'syscontact the node owner (Cloudy panel)',
    // Only what the view needs: no disk, process or load tables.
    'dontLogTCPWrappersConnects yes',
    '',
  ].join('\n');
}
