// One typed function per cloudyd endpoint the panel uses.
import type {
  CollectionItemView,
  DiagnosticCheck,
  ItemChangeReply,
  Health,
  Language,
  LogLine,
  ModuleDetail,
  ModuleSummary,
  NodeInfo,
  Operation,
  OperationAccepted,
  Role,
  SessionInfo,
  SetupRequest,
  UserSummary,
} from '../../shared/api-contract.ts';
import type { HistoryRange, MetricsHistory, ModuleGraphs } from '../../shared/metrics-contract.ts';
import { request } from './http-client.ts';

export type ModuleAction = 'install' | 'start' | 'stop' | 'uninstall';

const modulePath = (id: string): string => `/api/modules/${encodeURIComponent(id)}`;

export const api = {
  health: () => request<Health>('GET', '/api/health', { handlesUnauthorized: true }),
  setup: (body: SetupRequest) => request<SessionInfo>('POST', '/api/setup', { body, handlesUnauthorized: true }),
  login: (username: string, password: string) =>
    request<SessionInfo>('POST', '/api/session', { body: { username, password }, handlesUnauthorized: true }),
  currentSession: () => request<SessionInfo>('GET', '/api/session', { handlesUnauthorized: true }),
  logout: () => request<void>('DELETE', '/api/session', { handlesUnauthorized: true }),
  // A wrong current password may come back 401: show it on the form rather than signing out.
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('PUT', '/api/account/password', { body: { currentPassword, newPassword }, handlesUnauthorized: true }),
  changeLanguage: (language: Language) => request<void>('PUT', '/api/account/language', { body: { language } }),
  node: () => request<NodeInfo>('GET', '/api/node'),
  /** The node's figures over a range (minute points up to 8 days, hourly beyond). */
  metricsHistory: (range: HistoryRange, series?: string[]) =>
    request<MetricsHistory>('GET', `/api/metrics/history?${new URLSearchParams({ range, ...(series ? { series: series.join(',') } : {}) }).toString()}`),
  moduleGraphs: (id: string, range: HistoryRange, group?: string) =>
    request<ModuleGraphs>('GET', `${modulePath(id)}/graphs?${new URLSearchParams({ range, ...(group === undefined ? {} : { group }) }).toString()}`),
  changeHostname: (hostname: string) => request<void>('PUT', '/api/node/hostname', { body: { hostname } }),
  modules: () => request<ModuleSummary[]>('GET', '/api/modules'),
  module: (id: string) => request<ModuleDetail>('GET', modulePath(id)),
  saveModuleConfig: (id: string, values: Record<string, unknown>) =>
    request<ModuleDetail>('PUT', `${modulePath(id)}/config`, { body: { values } }),
  runModuleAction: (id: string, action: ModuleAction) => request<OperationAccepted>('POST', `${modulePath(id)}/${action}`),
  items: (id: string, collection: string) => request<CollectionItemView[]>('GET', `${modulePath(id)}/collections/${encodeURIComponent(collection)}`),
  putItem: (id: string, collection: string, key: string, values: Record<string, unknown>, password?: string) =>
    request<ItemChangeReply>('PUT', `${modulePath(id)}/collections/${encodeURIComponent(collection)}/${encodeURIComponent(key)}`, {
      body: { values, ...(password ? { password } : {}) },
    }),
  removeItem: (id: string, collection: string, key: string) =>
    request<ItemChangeReply>('DELETE', `${modulePath(id)}/collections/${encodeURIComponent(collection)}/${encodeURIComponent(key)}`),
  diagnostics: (id: string) => request<DiagnosticCheck[]>('GET', `${modulePath(id)}/diagnostics`),
  logs: (id: string) => request<LogLine[]>('GET', `${modulePath(id)}/logs`),
  operation: (id: string) => request<Operation>('GET', `/api/operations/${encodeURIComponent(id)}`),
  operations: () => request<Operation[]>('GET', '/api/operations'),
  users: () => request<UserSummary[]>('GET', '/api/users'),
  createUser: (username: string, password: string, role: Role) => request<UserSummary>('POST', '/api/users', { body: { username, password, role } }),
  removeUser: (username: string) => request<void>('DELETE', `/api/users/${encodeURIComponent(username)}`),
};
