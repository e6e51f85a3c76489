/**
 * Vocabulary of the synthetic profiles. Names are common ones per region,
 * e-mail addresses use the reserved example domains (RFC 2606), companies
 * are invented. Weights are rough shapes of a job-seeker platform, not
 * statistics of any real one.
 */

export interface Region {
  given: readonly string[];
  family: readonly string[];
}

export const REGIONS: Record<string, Region> = {
  anglo: {
    given: ['James', 'Olivia', 'Jack', 'Amelia', 'Harry', 'Isla', 'Oliver', 'Emily', 'George', 'Sophie', 'Thomas', 'Grace', 'William', 'Jessica', 'Daniel', 'Hannah', 'Michael', 'Charlotte', 'Samuel', 'Lucy', 'Jonathan', 'Rebecca', 'Christopher', 'Elizabeth', 'Matthew', 'Katherine', 'Andrew', 'Victoria', 'Benjamin', 'Eleanor'],
    family: ['Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris', 'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Lovelace', 'Morgan', 'Baker', 'Campbell', 'Anderson'],
  },
  german: {
    given: ['Lukas', 'Mia', 'Leon', 'Emma', 'Finn', 'Hannah', 'Paul', 'Lena', 'Jonas', 'Sophia', 'Felix', 'Anna', 'Maximilian', 'Marie', 'Elias', 'Laura', 'Tobias', 'Julia', 'Stefan', 'Katharina', 'Jürgen', 'Sabine', 'Matthias', 'Claudia'],
    family: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann', 'Hartmann'],
  },
  french: {
    given: ['Gabriel', 'Louise', 'Raphaël', 'Jade', 'Arthur', 'Ambre', 'Louis', 'Alice', 'Jules', 'Chloé', 'Hugo', 'Léa', 'Antoine', 'Camille', 'Nicolas', 'Manon', 'Julien', 'Élodie', 'Mathieu', 'Céline'],
    family: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Girard', 'Bonnet'],
  },
  hispanic: {
    given: ['Hugo', 'Lucía', 'Mateo', 'Sofía', 'Martín', 'Martina', 'Lucas', 'María', 'Leo', 'Julia', 'Daniel', 'Paula', 'Alejandro', 'Valeria', 'Pablo', 'Carmen', 'Javier', 'Isabel', 'Diego', 'Elena', 'João', 'Ana', 'Pedro', 'Beatriz'],
    family: ['García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Álvarez', 'Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira'],
  },
  indian: {
    given: ['Aarav', 'Ananya', 'Vivaan', 'Diya', 'Aditya', 'Isha', 'Arjun', 'Priya', 'Rohan', 'Kavya', 'Rahul', 'Sneha', 'Vikram', 'Pooja', 'Sanjay', 'Neha', 'Karan', 'Aishwarya', 'Siddharth', 'Meera'],
    family: ['Sharma', 'Verma', 'Gupta', 'Patel', 'Singh', 'Kumar', 'Reddy', 'Iyer', 'Nair', 'Rao', 'Mehta', 'Joshi', 'Chopra', 'Desai', 'Agarwal', 'Banerjee', 'Mukherjee', 'Pillai', 'Menon', 'Bose'],
  },
  dutch_nordic: {
    given: ['Daan', 'Emma', 'Sem', 'Julia', 'Lars', 'Saga', 'Erik', 'Astrid', 'Noah', 'Freya', 'Sven', 'Ingrid', 'Bram', 'Sanne', 'Mikkel', 'Ida', 'Anders', 'Karin'],
    family: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsen', 'Hansen', 'Nielsen', 'Jensen'],
  },
  polish: {
    given: ['Jakub', 'Zuzanna', 'Antoni', 'Julia', 'Jan', 'Maja', 'Szymon', 'Hanna', 'Piotr', 'Agnieszka', 'Tomasz', 'Katarzyna', 'Paweł', 'Magdalena', 'Michał', 'Małgorzata'],
    family: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak', 'Dąbrowski', 'Kozłowski', 'Jankowski', 'Mazur'],
  },
  east_asian: {
    given: ['Wei', 'Mei', 'Jun', 'Yan', 'Hao', 'Xin', 'Hiroshi', 'Yuki', 'Kenji', 'Sakura', 'Min-jun', 'Seo-yeon', 'Ji-ho', 'Ha-eun', 'Takeshi', 'Aiko'],
    family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Kim', 'Lee', 'Park', 'Choi'],
  },
};

export interface CountryInfo {
  code: string;
  weight: number;
  region: keyof typeof REGIONS;
  locale: string;
  timeZone: string;
  currency: string;
  cities: readonly string[];
  tld: string;
}

export const COUNTRIES: readonly CountryInfo[] = [
  { code: 'US', weight: 22, region: 'anglo', locale: 'en-US', timeZone: 'America/New_York', currency: 'USD', cities: ['New York', 'San Francisco', 'Austin', 'Chicago', 'Seattle', 'Boston'], tld: 'com' },
  { code: 'GB', weight: 14, region: 'anglo', locale: 'en-GB', timeZone: 'Europe/London', currency: 'GBP', cities: ['London', 'Manchester', 'Edinburgh', 'Bristol', 'Leeds'], tld: 'org' },
  { code: 'IN', weight: 12, region: 'indian', locale: 'en-IN', timeZone: 'Asia/Kolkata', currency: 'INR', cities: ['Bengaluru', 'Mumbai', 'Hyderabad', 'Pune', 'Delhi', 'Chennai'], tld: 'net' },
  { code: 'DE', weight: 10, region: 'german', locale: 'de-DE', timeZone: 'Europe/Berlin', currency: 'EUR', cities: ['Berlin', 'Munich', 'Hamburg', 'Frankfurt', 'Cologne'], tld: 'org' },
  { code: 'FR', weight: 7, region: 'french', locale: 'fr-FR', timeZone: 'Europe/Paris', currency: 'EUR', cities: ['Paris', 'Lyon', 'Toulouse', 'Nantes', 'Lille'], tld: 'net' },
  { code: 'ES', weight: 5, region: 'hispanic', locale: 'es-ES', timeZone: 'Europe/Madrid', currency: 'EUR', cities: ['Madrid', 'Barcelona', 'Valencia', 'Seville'], tld: 'com' },
  { code: 'CA', weight: 5, region: 'anglo', locale: 'en-CA', timeZone: 'America/Toronto', currency: 'CAD', cities: ['Toronto', 'Vancouver', 'Montreal', 'Calgary'], tld: 'com' },
  { code: 'NL', weight: 4, region: 'dutch_nordic', locale: 'nl-NL', timeZone: 'Europe/Amsterdam', currency: 'EUR', cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven'], tld: 'org' },
  { code: 'BR', weight: 4, region: 'hispanic', locale: 'pt-BR', timeZone: 'America/Sao_Paulo', currency: 'BRL', cities: ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba'], tld: 'net' },
  { code: 'PL', weight: 4, region: 'polish', locale: 'pl-PL', timeZone: 'Europe/Warsaw', currency: 'PLN', cities: ['Warsaw', 'Kraków', 'Wrocław', 'Gdańsk'], tld: 'com' },
  { code: 'AU', weight: 3, region: 'anglo', locale: 'en-AU', timeZone: 'Australia/Sydney', currency: 'AUD', cities: ['Sydney', 'Melbourne', 'Brisbane', 'Perth'], tld: 'org' },
  { code: 'IE', weight: 2, region: 'anglo', locale: 'en-IE', timeZone: 'Europe/Dublin', currency: 'EUR', cities: ['Dublin', 'Cork', 'Galway'], tld: 'net' },
  { code: 'SE', weight: 2, region: 'dutch_nordic', locale: 'sv-SE', timeZone: 'Europe/Stockholm', currency: 'SEK', cities: ['Stockholm', 'Gothenburg', 'Malmö'], tld: 'com' },
  { code: 'MX', weight: 2, region: 'hispanic', locale: 'es-MX', timeZone: 'America/Mexico_City', currency: 'MXN', cities: ['Mexico City', 'Guadalajara', 'Monterrey'], tld: 'org' },
  { code: 'JP', weight: 2, region: 'east_asian', locale: 'ja-JP', timeZone: 'Asia/Tokyo', currency: 'JPY', cities: ['Tokyo', 'Osaka', 'Fukuoka'], tld: 'net' },
  { code: 'SG', weight: 1, region: 'east_asian', locale: 'en-SG', timeZone: 'Asia/Singapore', currency: 'SGD', cities: ['Singapore'], tld: 'com' },
  { code: 'DK', weight: 1, region: 'dutch_nordic', locale: 'da-DK', timeZone: 'Europe/Copenhagen', currency: 'DKK', cities: ['Copenhagen', 'Aarhus'], tld: 'org' },
  { code: 'AT', weight: 1, region: 'german', locale: 'de-AT', timeZone: 'Europe/Vienna', currency: 'EUR', cities: ['Vienna', 'Graz'], tld: 'net' },
  { code: 'CH', weight: 1, region: 'german', locale: 'de-CH', timeZone: 'Europe/Zurich', currency: 'CHF', cities: ['Zurich', 'Geneva', 'Basel'], tld: 'com' },
  { code: 'PT', weight: 1, region: 'hispanic', locale: 'pt-PT', timeZone: 'Europe/Lisbon', currency: 'EUR', cities: ['Lisbon', 'Porto'], tld: 'org' },
];

/** Skills in rough order of popularity (weights follow 1/rank). */
export const SKILLS: readonly string[] = [
  'JavaScript', 'SQL', 'Python', 'Communication', 'Excel', 'Project Management', 'TypeScript', 'Java', 'React', 'Customer Service',
  'Node.js', 'AWS', 'Data Analysis', 'HTML', 'CSS', 'Git', 'Leadership', 'Docker', 'C#', 'Agile',
  'PostgreSQL', 'Marketing', 'Sales', 'Linux', 'Kubernetes', 'Figma', 'Go', 'Machine Learning', 'Accounting', 'Power BI',
  'Azure', 'Terraform', 'Product Management', 'Spring Boot', 'C++', 'Kotlin', 'Swift', 'PHP', 'Ruby', 'Tableau',
  'Scrum', 'SEO', 'Copywriting', 'Recruiting', 'UX Research', 'GraphQL', 'Rust', 'Angular', 'Vue.js', 'Django',
  'Spark', 'Snowflake', 'Salesforce', 'SAP', 'Negotiation', 'Public Speaking', 'Cybersecurity', 'Networking', 'Photoshop', 'Scala',
];

export const SKILL_LEVELS = ['beginner', 'intermediate', 'advanced', 'expert'] as const;

export const TITLES: readonly string[] = [
  'Software Engineer', 'Data Analyst', 'Product Manager', 'Frontend Developer', 'Backend Engineer', 'Data Scientist', 'DevOps Engineer',
  'UX Designer', 'Marketing Manager', 'Sales Representative', 'Account Manager', 'Project Manager', 'Business Analyst', 'QA Engineer',
  'Customer Success Manager', 'Financial Analyst', 'HR Generalist', 'Recruiter', 'Cloud Architect', 'Mobile Developer', 'Security Engineer',
  'Technical Writer', 'Operations Manager', 'Content Strategist', 'Machine Learning Engineer', 'Site Reliability Engineer', 'Accountant',
];

export const SENIORITY: readonly string[] = ['Junior', '', '', 'Senior', 'Senior', 'Lead', 'Principal', 'Staff'];

export const COMPANIES: readonly string[] = [
  'Acme Corp', 'Globex', 'Initech', 'Umbrella Labs', 'Hooli', 'Vandelay Industries', 'Stark Analytics', 'Wayne Logistics', 'Cyberdyne',
  'Soylent Foods', 'Tyrell Systems', 'Wonka Retail', 'Oscorp', 'Pied Piper', 'Dunder Paper', 'Massive Dynamic', 'Aperture Science',
  'Gringotts Finance', 'Monarch Media', 'Blue Sun Energy',
];

export const UNIVERSITIES: readonly string[] = [
  'University of Northfield', 'Eastbrook Institute of Technology', 'Westmoor College', 'Southgate University', 'Lakeside Polytechnic',
  'Riverside Business School', 'Highland Technical University',
];

export const FIELDS: readonly string[] = ['Computer Science', 'Economics', 'Mathematics', 'Business Administration', 'Design', 'Physics', 'Psychology', 'Marketing'];

export const BIOS: readonly string[] = [
  'I build reliable systems and enjoy mentoring.',
  'Curious problem solver who likes data and clear writing.',
  'Looking for a team that ships often and learns fast.',
  'Ten years across startups and enterprises; happiest close to customers.',
  'Career changer with a background in teaching.',
  'Remote-first, async-friendly, and fond of good documentation.',
];

export const WORK_MODES = ['remote', 'hybrid', 'onsite'] as const;
export const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'contract', 'freelance'] as const;
export const JOB_ALERT_FREQUENCIES = ['off', 'daily', 'weekly', 'weekly', 'weekly', 'monthly'] as const;
export const NOTICE_PERIODS = [0, 14, 30, 30, 60, 90] as const;
