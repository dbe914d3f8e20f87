// The security service's questionnaires, exported from Python by `make schemas`
// (src/handlers/security/rules.py -> schemas/questionnaires.json): never retyped here.
import exported from '../../schemas/questionnaires.json';

export type AnswerValue = boolean | string | number;

export interface Choice {
  value: boolean | string;
  label: string;
  credit: number;
}

export interface Question {
  id: string;
  text: string;
  weight: number;
  kind: 'yes-no' | 'choice' | 'months';
  choices?: Choice[];
  bounds?: { upTo: number; credit: number }[];
}

export interface Questionnaire {
  id: string;
  questions: Question[];
}

export const QUESTIONNAIRES: Questionnaire[] = exported as Questionnaire[];

export function questionnaire(id: string): Questionnaire {
  const found = QUESTIONNAIRES.find((q) => q.id === id);
  if (!found) {
    throw new Error(`questionnaire ${id} is not one this app knows (${QUESTIONNAIRES.map((q) => q.id).join(', ')})`);
  }
  return found;
}
