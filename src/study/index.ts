// Studies: grids of settings, many trials per cell, statistics that merge exactly across parts.

export { study, studyPart, studyHeader, mergeStudyParts, StudyPlan, PART_FORMAT, PART_VERSION } from './run.js';
export type {
  StudyOptions, StudyPartOptions, StudyPart, StudyPartHeader, StudyCellPart, StudyReport, StudyCellReport,
} from './run.js';
export { normalizeSpec, studyCells, STUDY_METHODS } from './spec.js';
export type { StudySpec, StudyLayer, StudyGrid, StudyWeights, StudyCell, StudyMethod } from './spec.js';
export type { StatData, StatSummary } from './accumulator.js';
export { ERROR_EDGES, RATIO_EDGES } from './accumulator.js';
