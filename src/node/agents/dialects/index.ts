/** The dialect module for each agent name (a lookup table, not a re-export barrel). */
import type { AgentName } from '../../../core/protocol/bridge';
import { claude } from './claude';
import { cline } from './cline';
import { codex } from './codex';
import { copilot } from './copilot';
import { cursor } from './cursor';
import type { Dialect } from './dialect';
import { gemini } from './gemini';
import { kilo, opencode } from './opencode';
import { qwen } from './qwen';

export const DIALECTS: Readonly<Record<AgentName, Dialect>> = { claude, copilot, cursor, codex, gemini, cline, qwen, opencode, kilo };
