import { createContext, useContext } from 'react';
import type { OpsApi } from '../../../common/contract';

export const ApiContext = createContext<OpsApi | null>(null);

export function useApi(): OpsApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}
