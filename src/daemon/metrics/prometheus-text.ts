// The Prometheus text exposition format (version 0.0.4) of one reading: names and units as node_exporter's (in snake
// case, as promtool asks), under `cloudy_`.
import type { NodeReading } from './proc-readings.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

/** Label values escape backslash, double quote and newline (the format's only escapes). */
function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${Number.isFinite(value) ? value : 'NaN'}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function renderPrometheus(reading: NodeReading, info: { version: string; node: string }): string {
  const out = new Exposition();
  out.metric('cloudy_info', 'gauge', 'Cloudy version and node name, always 1.', [[{ version: info.version, node: info.node }, 1]]);
  out.metric('cloudy_node_boot_time_seconds', 'gauge', 'Unix time the machine booted.', [[{}, reading.bootTime]]);
  out.metric(
    'cloudy_node_cpu_seconds_total',
    'counter',
    'Seconds all CPUs spent in each mode.',
    Object.entries(reading.cpuSeconds).map(([mode, seconds]) => [{ mode }, seconds]),
  );
  out.metric('cloudy_node_load1', 'gauge', '1-minute load average.', [[{}, reading.load[0]]]);
  out.metric('cloudy_node_load5', 'gauge', '5-minute load average.', [[{}, reading.load[1]]]);
  out.metric('cloudy_node_load15', 'gauge', '15-minute load average.', [[{}, reading.load[2]]]);
  out.metric('cloudy_node_memory_total_bytes', 'gauge', 'Memory of the machine.', [[{}, reading.memory.totalBytes]]);
  out.metric('cloudy_node_memory_available_bytes', 'gauge', 'Memory available without swapping, by the kernel\'s estimate.', [[{}, reading.memory.availableBytes]]);
  out.metric('cloudy_node_filesystem_size_bytes', 'gauge', 'Size of the filesystem holding Cloudy\'s data.', [[{ mountpoint: reading.disk.path }, reading.disk.sizeBytes]]);
  out.metric('cloudy_node_filesystem_avail_bytes', 'gauge', 'Space on it available to users.', [[{ mountpoint: reading.disk.path }, reading.disk.availableBytes]]);
  out.metric('cloudy_node_network_receive_bytes_total', 'counter', 'Bytes received per interface.', reading.network.map((device) => [{ device: device.device }, device.receiveBytes]));
  out.metric('cloudy_node_network_transmit_bytes_total', 'counter', 'Bytes sent per interface.', reading.network.map((device) => [{ device: device.device }, device.transmitBytes]));
  out.metric('cloudy_module_cpu_seconds_total', 'counter', 'CPU seconds used by a running module\'s daemons and their children.', reading.modules.map((module) => [{ module: module.module }, module.cpuSeconds]));
  out.metric('cloudy_module_resident_memory_bytes', 'gauge', 'Resident memory of a running module\'s daemons and their children.', reading.modules.map((module) => [{ module: module.module }, module.residentBytes]));
  return out.text();
}
