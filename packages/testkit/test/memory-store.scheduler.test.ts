import { MemoryStore } from '@settle/core';
import { runSchedulerScenarios } from '../src/index';

runSchedulerScenarios('MemoryStore', () => ({ store: new MemoryStore() }));
