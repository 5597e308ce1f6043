import { createContext, useContext, type ReactNode } from 'react';
import type { Controller } from '../services/controller';
import type { LiveController } from '../services/liveController';

/** The page's services, which components call (they never write the store themselves). */
export interface Services {
  controller: Controller;
  live: LiveController;
}

const ServicesContext = createContext<Services | null>(null);

/** Gives the components below the page's services (main.tsx wraps the app in it). */
export function ServicesProvider({ value, children }: { value: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

/** The one way a component reaches the services. */
export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('A component was rendered outside the ServicesProvider');
  return services;
}
